"""Back office for this area (imported by marketplace.admin)."""
