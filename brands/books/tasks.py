"""Celery task of the books area: run (or resume) a generate or import job."""

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    name="brands.run_book_job",
    # A worker killed mid-job hands the message back: the job resumes from its last chunk.
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=30,
)
def run_book_job(self, job_id: int) -> None:
    """Run the job; if another runner holds it and is alive, look again once it may have
    died (STALE_AFTER), until it is done."""
    if not services.job_run(job_id=job_id):
        raise self.retry(countdown=services.STALE_AFTER.total_seconds() + 5)
