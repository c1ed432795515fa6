"""Marketplace: locker."""
