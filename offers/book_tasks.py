"""Tasks for unique-code books (lock release, expiry sweep)."""
