"""Voice questions: recorded clips transcribed offline by PocketSphinx in a Celery job."""
