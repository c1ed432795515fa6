"""Marketplace: scan."""
