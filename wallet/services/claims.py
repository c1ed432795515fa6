"""Missing-cashback claims: a shopper reports a purchase the network never tracked; an
operator approves it (creating the cashback event) or rejects it."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import notification_send
from coupzii.core.errors import DomainError, NotFound
from coupzii.core.money import MAX_AMOUNT, PAISE, fits_column, format_inr
from offers.models import Click

from ..errors import ClaimRefused, InvalidTransition, NotAnOperator, SelfReview
from ..models import CashbackClaim, CashbackEvent, CashbackSource, ClaimStatus
from ..networks.base import NetworkSale, SaleStatus
from .cashback import as_uuid, cashback_report

# Networks stop accepting missing-cashback queries after about three months.
CLAIM_WINDOW_DAYS = 90
# A shopper usually orders within a day of clicking out.
ORDER_WITHIN_DAYS = 3
REASON_MAX = 255


def claimable_clicks(user: User):
    """The user's recent click-outs that have no cashback event and no claim yet."""
    since = timezone.now() - timedelta(days=CLAIM_WINDOW_DAYS)
    tracked = CashbackEvent.objects.filter(user=user, click__isnull=False).values("click_id")
    claimed = CashbackClaim.objects.filter(user=user).values("click_id")
    return (
        Click.objects.filter(user=user, created_at__gte=since)
        .exclude(id__in=tracked)
        .exclude(id__in=claimed)
        .select_related("merchant", "offer")
        .order_by("-created_at")
    )


def cashback_claim_file(
    *, user: User, click_id, order_id: str, amount: Decimal, order_date, receipt=None
) -> CashbackClaim:
    """Open a claim for one of the user's clicks.

    Raises NotFound (not the user's click), ClaimRefused (already tracked or claimed, too
    old), DomainError with field messages (order date outside the click's window, amount).
    """
    click = None
    if as_uuid(click_id) is not None:
        click = Click.objects.filter(id=click_id, user=user).select_related("merchant").first()
    if click is None:
        raise NotFound(_("We could not find this click-out in your history."))
    _check_claim(user, click, order_id=order_id, amount=amount, order_date=order_date)
    claim = CashbackClaim(
        user=user,
        click=click,
        order_id=order_id.strip(),
        amount=amount,
        order_date=order_date,
    )
    if receipt:
        claim.receipt = receipt
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise ClaimRefused(_("You have already claimed this purchase.")) from None
    return claim


def _check_claim(user, click, *, order_id, amount, order_date) -> None:
    if CashbackEvent.objects.filter(click=click).exists():
        raise ClaimRefused(_("This purchase is already tracked: see your cashback tracker."))
    if click.created_at < timezone.now() - timedelta(days=CLAIM_WINDOW_DAYS):
        raise ClaimRefused(_("Claims must be made within 90 days of the purchase."))
    errors = {}
    if not order_id.strip():
        errors["order_id"] = [_("Enter the order id from the store's confirmation.")]
    if amount is None or not amount.is_finite() or amount <= 0:
        errors["amount"] = [_("Enter what you paid.")]
    elif not fits_column(amount) or amount != amount.quantize(PAISE):
        errors["amount"] = [
            _("Enter an amount in rupees and paise, at most %(max)s.")
            % {"max": format_inr(MAX_AMOUNT)}
        ]
    clicked_on = timezone.localdate(click.created_at)
    latest = min(clicked_on + timedelta(days=ORDER_WITHIN_DAYS), timezone.localdate())
    if not clicked_on <= order_date <= latest:
        errors["order_date"] = [
            _("The order must be placed within %(days)s days after the click-out (%(date)s).")
            % {"days": ORDER_WITHIN_DAYS, "date": clicked_on.strftime("%d %b %Y")}
        ]
    if errors:
        raise DomainError(fields=errors)


def cashback_claim_approve(*, claim: CashbackClaim, operator: User) -> CashbackClaim:
    """Create the claim's cashback event (pending, from the merchant's rates, uncapped as no
    commission is known yet) and close the claim."""
    with transaction.atomic():
        # The claim's row lock first: a network report of this click locks the click's open
        # claims before it inserts its event, so it cannot commit between the check below
        # and our event (it would pay the purchase twice).
        locked = _locked_open(claim, operator)
        click = locked.click
        if CashbackEvent.objects.filter(click=click).exists():
            # The network reported the purchase after all, while the claim waited.
            raise ClaimRefused(_("The network has since tracked this purchase: reject the claim."))
        sale = NetworkSale(
            network=click.merchant.affiliate_network,
            transaction_id=f"claim-{locked.public_id}",
            sub_id=str(click.id),
            sale_amount=locked.amount,
            commission=None,
            status=SaleStatus.PENDING,
            occurred_at=timezone.make_aware(datetime.combine(locked.order_date, time(12))),
            raw={"claim": str(locked.public_id), "order_id": locked.order_id},
        )
        locked.event = cashback_report(sale=sale, source=CashbackSource.CLAIM)
        _close(locked, operator, ClaimStatus.APPROVED, "")
        return locked


def cashback_claim_reject(*, claim: CashbackClaim, operator: User, reason: str) -> CashbackClaim:
    if not 0 < len(reason.strip()) <= REASON_MAX:
        raise DomainError(fields={"reason": [_("Say why (at most 255 characters).")]})
    with transaction.atomic():
        locked = _locked_open(claim, operator)
        _close(locked, operator, ClaimStatus.REJECTED, reason.strip())
        return locked


def _locked_open(claim: CashbackClaim, operator: User) -> CashbackClaim:
    if not operator.is_staff:
        raise NotAnOperator()
    if operator.pk == claim.user_id:
        raise SelfReview()
    # of=("self",): lock the claim only. Locking its click and store too would block a
    # postback at that store from committing (its event's foreign keys need them).
    locked = (
        CashbackClaim.objects.select_for_update(of=("self",))
        .select_related("click__merchant")
        .get(pk=claim.pk)
    )
    if locked.status != ClaimStatus.OPEN:
        raise InvalidTransition()
    return locked


def _close(claim: CashbackClaim, operator: User, status: str, reason: str) -> None:
    claim.status, claim.rejection_reason = status, reason
    claim.reviewed_by, claim.reviewed_at = operator, timezone.now()
    claim.save()
    values = {"order": claim.order_id, "amount": format_inr(claim.amount)}
    if status == ClaimStatus.APPROVED:
        title = gettext_lazy("Your claim for order %(order)s was approved")
        body = gettext_lazy("The cashback is now pending in your wallet.")
    else:
        title = gettext_lazy("Your claim for order %(order)s was not approved")
        body = reason  # the operator's words, as written
    notification_send(
        user=claim.user,
        kind="cashback_pending",
        title=lambda: str(title) % values,
        body=body,
        link="/wallet/?tab=cashback",
    )
