"""coupons: part of the brand portal."""
