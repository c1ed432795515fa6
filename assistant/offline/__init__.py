"""The offline engine: intent and entity parsing over the catalog, calling the same tools."""
