"""Celery tasks of the offers app (Celery discovers this module; the tasks live beside the
code they wrap, in the books and clickout packages)."""

from .books.tasks import *  # noqa: F403
from .clickout.tasks import *  # noqa: F403
