"""Voice transcription jobs."""
