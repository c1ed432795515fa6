"""The test payable: a pledge, paid through commerce's payment path as a marketplace purchase
will be, so the payment machine and the races run for something that is not a shop order."""

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from commerce.services import Charge, PayableHandler
from commerce.services.payments import payment_open

from .models import Pledge, PledgeStatus

KIND = "pledge"
ESCROW = "escrow:pledge"
PAYMENT_KIND = "pledge_payment"
REFUND_KIND = "pledge_refund"


class PledgePayable(PayableHandler):
    escrow_account = ESCROW
    capture_kind = PAYMENT_KIND
    refund_kind = REFUND_KIND
    ledger_reference_type = KIND

    def reference(self, payable: Pledge) -> str:
        return str(payable.pk)

    def get(self, reference: str) -> Pledge:
        return Pledge.objects.get(pk=int(reference))

    def lock(self, reference: str) -> Pledge:
        return Pledge.objects.select_for_update().get(pk=int(reference))

    def charge(self, payable: Pledge) -> Charge:
        return Charge(
            amount=payable.amount,
            user=payable.user,
            receipt=f"PLEDGE{payable.pk}",
            notes={KIND: str(payable.pk)},
        )

    def ledger_reference(self, payable: Pledge) -> str:
        return str(payable.pk)

    def awaiting_payment(self, payable: Pledge) -> bool:
        return payable.status == PledgeStatus.PENDING

    def paid(self, payable: Pledge, *, method: str) -> Pledge:
        return _set_status(payable, PledgeStatus.PAID)

    def failed(self, payable: Pledge, *, error: str) -> Pledge:
        return _set_status(payable, PledgeStatus.FAILED)

    def expired(self, payable: Pledge) -> Pledge:
        return _set_status(payable, PledgeStatus.EXPIRED)

    def refunded(self, payable: Pledge, *, refund) -> None:
        Pledge.objects.filter(pk=payable.pk).update(refunded=F("refunded") + refund.amount)

    def refund_stuck(self, payable: Pledge, *, refund) -> None:
        Pledge.objects.filter(pk=payable.pk).update(stuck_refunds=F("stuck_refunds") + 1)

    def overdue(self, *, limit: int) -> Iterable[Pledge]:
        pledges = Pledge.objects.filter(status=PledgeStatus.PENDING, pay_by__lt=timezone.now())
        return pledges.order_by("pay_by", "pk")[:limit]


def _set_status(pledge: Pledge, status: str) -> Pledge:
    pledge.status = status
    pledge.save(update_fields=["status"])
    return pledge


@transaction.atomic
def pledge_open(*, user, amount: Decimal, minutes: int = 30) -> Pledge:
    """A pledge awaiting payment, with its gateway order opened (as checkout does an order's)."""
    pledge = Pledge.objects.create(
        user=user, amount=amount, pay_by=timezone.now() + timedelta(minutes=minutes)
    )
    payment_open(kind=KIND, payable=pledge)
    return pledge
