"""Celery tasks of the offers app (Celery discovers this module; the tasks live beside the
code they wrap)."""

from .book_tasks import *  # noqa: F403
from .click_tasks import *  # noqa: F403
