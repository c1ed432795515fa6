"""The marketplace's actions for other apps (the assistant): import marketplace.services alone.
Each area adds what others need here."""
