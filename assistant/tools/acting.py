"""Acting tools: each returns a card whose button posts to the page that does the action."""
