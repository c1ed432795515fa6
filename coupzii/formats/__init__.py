"""Indian date and number formats for English and Hindi (settings.FORMAT_MODULE_PATH)."""
