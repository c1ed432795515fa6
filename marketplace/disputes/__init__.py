"""Marketplace: disputes."""
