"""Marketplace: purchases."""
