"""Marketplace: listings."""
