"""Error reports to Sentry (or any server speaking its protocol), on only when SENTRY_DSN is set."""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from .middleware import current_request_id


def _tag_request_id(event, hint):
    # The id in our log lines and the X-Request-ID header: an operator joins the two on it.
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def error_reports_init(*, dsn: str, environment: str, release: str | None) -> None:
    """Report unhandled errors of web requests and Celery tasks, and ERROR log lines.

    No personal data is sent: no user emails, addresses or cookies (send_default_pii off),
    and no performance traces.
    """
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        traces_sample_rate=0.0,
        before_send=_tag_request_id,
    )
