"""Abstract base models shared by every app."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds `created_at` (set once) and `updated_at` (set on every save)."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class PublicIdModel(models.Model):
    """A random UUID for URLs and the API, so sequential primary keys are never exposed."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True
