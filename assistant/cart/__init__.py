"""The net-price optimiser and what it is fed: the ranked ways to pay for a cart."""
