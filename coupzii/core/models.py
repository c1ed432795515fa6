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


class TaskRun(models.Model):
    """The last run of one Celery task (beat's schedule, by task name): when it started and
    finished, and whether it succeeded. One row per task, updated by the worker's task
    signals (coupzii.core.task_runs); the operators' dashboard shows it."""

    name = models.CharField(_("task"), max_length=120, unique=True)
    started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), null=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    last_success_at = models.DateTimeField(_("last succeeded"), null=True, blank=True)
    runs = models.PositiveBigIntegerField(_("runs"), default=0)
    failures = models.PositiveBigIntegerField(_("failures"), default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")

    def __str__(self) -> str:
        return self.name


class Watermark(models.Model):
    """How far a background job has read (a rollup's 'rows changed since'): one row per job."""

    name = models.CharField(max_length=120, unique=True)
    value = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
