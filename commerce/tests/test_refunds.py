"""Sending refunds (commerce.services.refunds): the retry and give-up policy the tasks call,
for a shop order and for the test app's pledge alike."""

from decimal import Decimal

import pytest

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from commerce import tasks
from commerce.errors import GatewayUnavailable
from commerce.gateways import DevGateway, gateway
from commerce.models import Refund, RefundStatus
from commerce.services import payments, refunds
from commerce.tests.payables import PAYABLES, PLEDGE
from coupzii.testapp.models import Pledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _webhook(dev):
    payments.webhook_receive(
        body=dev.webhook_body, signature=dev.webhook_signature, event_id=dev.webhook_event_id
    )


def _late_refund(adapter, commits, monkeypatch) -> Refund:
    """A capture after the payable failed, whose refund the gateway cannot take now."""
    payable = adapter.open(UserFactory())
    with commits():
        _webhook(gateway().pay(gateway_order_id=adapter.gateway_order_id(payable), succeed=False))

    def down(self, **kwargs):
        raise GatewayUnavailable()

    monkeypatch.setattr(DevGateway, "refund_create", down)
    with commits():
        _webhook(gateway().pay(gateway_order_id=adapter.gateway_order_id(payable), succeed=True))
    refund = Refund.objects.get()
    assert (refund.status, refund.gateway_refund_id, refund.attempts) == (
        RefundStatus.PENDING,
        "",
        1,
    )
    return refund


@pytest.mark.parametrize("adapter", PAYABLES, ids=lambda adapter: adapter.kind)
def test_a_refund_the_gateway_keeps_refusing_is_retried_then_given_up_and_told(
    adapter, commits, monkeypatch
):
    operator = UserFactory(is_staff=True)
    refund = _late_refund(adapter, commits, monkeypatch)

    # when the sweep tries again until the attempts run out
    with commits():
        sent = [tasks.send_pending_refunds() for _ in range(refunds.REFUND_ATTEMPTS)]

    # then it stopped at the last attempt, and whoever must act was told once
    assert sent == [1] * (refunds.REFUND_ATTEMPTS - 1) + [0]
    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (RefundStatus.PENDING, refunds.REFUND_ATTEMPTS)
    assert refund.last_error
    told = Notification.objects.filter(user=operator, kind="operations").count()
    if adapter is PLEDGE:
        assert (told, Pledge.objects.get().stuck_refunds) == (0, 1)
    else:
        assert told == 1


def test_a_refund_that_lands_on_a_retry_is_sent_once(commits, monkeypatch):
    refund = _late_refund(PLEDGE, commits, monkeypatch)
    monkeypatch.undo()

    assert refunds.refund_send_or_retry(refund_id=refund.pk) == RefundStatus.PROCESSED
    assert refunds.refund_send_or_retry(refund_id=refund.pk) == RefundStatus.PROCESSED

    refund.refresh_from_db()
    assert refund.gateway_refund_id
    assert refund.gateway_amount == Decimal("490.00")
    assert Pledge.objects.get().stuck_refunds == 0
