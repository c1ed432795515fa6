"""analytics: part of the brand portal."""
