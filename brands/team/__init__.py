"""team: part of the brand portal."""
