"""Races on PostgreSQL: two imports into one book at once, and two generate runners of one
job, leave no duplicate code and lose none."""

import pytest

from brands.books import services
from brands.models import BrandJob, JobKind, JobStatus
from coupzii.tests.races import race
from offers.models import CouponCode

from .conftest import codes_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_imports_into_one_book_at_once_leave_no_duplicate_codes(editor, book, monkeypatch):
    # given two files sharing half their codes, imported in small chunks so they interleave
    monkeypatch.setattr(services, "IMPORT_CHUNK", 50)
    first = [f"RACE-{n:04d}" for n in range(0, 600)]
    second = [f"RACE-{n:04d}" for n in range(300, 900)]

    def importing(codes):
        return lambda: services.codes_import_start(
            membership=editor,
            book=book,
            name="codes.csv",
            content="\n".join(codes).encode(),
            actor=editor.user,
        )

    # when both run at once
    jobs = race([importing(first), importing(second)])

    # then every code is in the book once, and each shared code was added by exactly one
    codes = codes_of(book)
    assert len(codes) == len(set(codes)) == 900
    reports = [BrandJob.objects.get(pk=job.pk).report for job in jobs]
    assert all(BrandJob.objects.get(pk=job.pk).status == JobStatus.DONE for job in jobs)
    assert sum(report["created"] for report in reports) == 900
    assert sum(report["duplicates_in_book"] for report in reports) == 300


def test_two_runners_of_one_generate_job_make_its_codes_once(editor, book, monkeypatch):
    # given a queued job of 2,000 codes written 200 at a time
    monkeypatch.setattr(services, "GENERATE_CHUNK", 200)
    job = BrandJob.objects.create(
        brand=editor.brand, kind=JobKind.GENERATE_CODES, book=book, total=2_000
    )

    # when two workers get the job's message at once (a redelivery)
    results = race([lambda: services.job_run(job_id=job.pk)] * 2)

    # then one ran it and the other left it alone
    job.refresh_from_db()
    assert sorted(results) == [False, True] or results == [True, True]
    assert (job.status, job.processed) == (JobStatus.DONE, 2_000)
    assert CouponCode.objects.filter(book=book).count() == 2_000
