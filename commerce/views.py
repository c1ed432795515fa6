"""Shop pages."""
