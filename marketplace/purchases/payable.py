"""Marketplace purchases as a payable of commerce's payment path (kind `marketplace_purchase`,
registered in marketplace/apps.py): a card or UPI purchase awaits payment until its `pay_by`,
its capture waits in `escrow:marketplace`, and a capture that finds it closed is refunded by
the payment path."""

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from commerce.services import Charge, PayableHandler
from coupzii.core.errors import DomainError

from .. import kinds
from ..models import Purchase, PurchaseStatus
from . import services

S = PurchaseStatus


class PurchasePayable(PayableHandler):
    escrow_account = kinds.ESCROW
    capture_kind = kinds.PAID_BY_GATEWAY
    refund_kind = kinds.REFUNDED_TO_GATEWAY
    ledger_reference_type = kinds.REFERENCE

    def reference(self, payable: Purchase) -> str:
        return str(payable.pk)

    def get(self, reference: str) -> Purchase:
        return Purchase.objects.get(pk=int(reference))

    def lock(self, reference: str) -> Purchase:
        return Purchase.objects.select_for_update().get(pk=int(reference))

    def charge(self, payable: Purchase) -> Charge:
        return Charge(
            amount=payable.price,
            user=payable.buyer,
            receipt=payable.number,
            notes={"purchase": payable.number},
        )

    def ledger_reference(self, payable: Purchase) -> str:
        return payable.number

    def awaiting_payment(self, payable: Purchase) -> bool:
        return payable.status == S.PENDING_PAYMENT

    def paid(self, payable: Purchase, *, method: str) -> Purchase:
        try:
            # A savepoint: a delivery refused halfway leaves nothing of itself behind, and
            # the money is sent back instead.
            with transaction.atomic():
                return services.purchase_deliver(payable)
        except DomainError as refused:
            return services.purchase_refund_undeliverable(
                payable,
                reason=gettext_noop("The coupon could not be delivered: %s") % refused.code,
            )

    def failed(self, payable: Purchase, *, error: str) -> Purchase:
        return services.purchase_close(payable, status=S.FAILED)

    def expired(self, payable: Purchase) -> Purchase:
        return services.purchase_close(payable, status=S.EXPIRED)

    def refunded(self, payable: Purchase, *, refund) -> None:
        # A late capture sent back: the purchase is closed already, its page says so.
        services.purchase_late_payment_tell(payable, refund=refund)

    def refund_stuck(self, payable: Purchase, *, refund) -> None:
        services.purchase_tell_stuck(payable, refund=refund)

    def overdue(self, *, limit: int) -> Iterable[Purchase]:
        return Purchase.objects.filter(
            status=S.PENDING_PAYMENT, pay_by__lt=timezone.now()
        ).order_by("pay_by", "pk")[:limit]

    # The generic pay page (commerce's): what it is for, and where the payer goes after.
    def title(self, payable: Purchase) -> str:
        return _("Marketplace purchase %(number)s") % {"number": payable.number}

    def return_url(self, payable: Purchase) -> str:
        return reverse("marketplace:purchase", args=[payable.number])

    def deadline(self, payable: Purchase):
        return payable.pay_by
