"""Celery discovers this module; each area's tasks live beside its services and are imported
by marketplace.apps when the app starts."""
