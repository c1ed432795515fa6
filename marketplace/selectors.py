"""The marketplace's reads for other apps (the assistant): import marketplace.selectors alone.
Each area adds what others need here."""
