"""Marketplace: ratings buyers and sellers give each other."""
