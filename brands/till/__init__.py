"""till: part of the brand portal."""
