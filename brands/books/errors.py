"""Refusals of the books area, each with a stable code for the API."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from coupzii.core.errors import Conflict, DomainError


class OfferNotEligible(DomainError):
    code = "book_offer_not_eligible"
    default_message = _("Choose one of your brand's unique-code offers.")


class BookLimitReached(DomainError):
    code = "book_limit_reached"
    default_message = _("This book cannot hold that many codes on your brand's plan.")


class BookStatusRefused(Conflict):
    code = "book_status_refused"
    default_message = _("A closed book stays closed.")


class JobNotResumable(Conflict):
    code = "job_not_resumable"
    default_message = _("Only a job that failed or stopped part way can be resumed.")


class ImportFileInvalid(DomainError):
    code = "import_invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("Upload a CSV (UTF-8) or Excel (.xlsx) file of at most 20 MB.")
