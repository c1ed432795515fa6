"""webhooks: part of the brand portal."""
