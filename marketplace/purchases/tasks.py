"""Celery tasks of this area (registered by marketplace.apps)."""
