"""Marketplace: swaps."""
