"""Celery tasks of the coupons area: a large bulk upload's check or write pass."""

from celery import shared_task

from .uploads import upload_run


@shared_task(name="brands.upload_coupons")
def upload_coupons(job_id: int) -> int:
    """Run the queued pass of upload job `job_id`; a job already run is left as it is, so a
    redelivered message changes nothing."""
    job = upload_run(job_id=job_id)
    return job.report.get("written", 0) if job.report else 0
