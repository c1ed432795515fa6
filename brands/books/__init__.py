"""books: part of the brand portal."""
