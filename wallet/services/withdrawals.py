"""Withdrawals: a shopper asks to be paid out, an operator approves, then marks it paid (with
the bank's UTR), rejected or failed.

The amount moves available -> held at the request. Every hold ends exactly once: paid
(held -> payouts) or released (held -> available). The status checks run on the locked
withdrawal row and the two endings share ledger keys, so no race can end a hold twice.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import notification_send
from coupzii.core.errors import DomainError
from coupzii.core.money import format_inr, quantize

from .. import ledger
from ..errors import (
    BelowMinimum,
    DailyLimitReached,
    IdempotencyKeyReused,
    InsufficientFunds,
    InvalidTransition,
    KycRequired,
    NotAnOperator,
    PayoutDestinationMissing,
    PayoutDetailsChanged,
    SelfApproval,
)
from ..models import (
    AccountKind,
    KycProfile,
    KycStatus,
    PayoutMethod,
    TransactionKind,
    Withdrawal,
    WithdrawalAudit,
    WithdrawalStatus,
)
from ..selectors import spendable_balance

S = WithdrawalStatus
# Banks' UTRs are 16 to 22 ASCII letters and digits; allow some slack, nothing else.
UTR_RE = re.compile(r"^[A-Z0-9]{6,40}$")
REASON_MAX = 255


def minimum_withdrawal() -> Decimal:
    return quantize(settings.WALLET_MIN_WITHDRAWAL)


@dataclass(frozen=True)
class WithdrawalRequested:
    """What `withdrawal_request_result` did: `created` is False for a retry of a key it had
    already opened a withdrawal for (the first one, unchanged), decided under the user's lock."""

    withdrawal: Withdrawal
    created: bool


def withdrawal_request(
    *, user: User, amount: Decimal, method: str, idempotency_key: str
) -> Withdrawal:
    """`withdrawal_request_result`'s withdrawal, for callers that don't answer "created"."""
    return withdrawal_request_result(
        user=user, amount=amount, method=method, idempotency_key=idempotency_key
    ).withdrawal


@transaction.atomic(durable=True)
def withdrawal_request_result(
    *, user: User, amount: Decimal, method: str, idempotency_key: str
) -> WithdrawalRequested:
    """Move `amount` from the user's available balance to held, and open a withdrawal.

    A retry with the same idempotency key returns the first withdrawal, with `created` False.
    Raises BelowMinimum, KycRequired, PayoutDestinationMissing, DailyLimitReached,
    InsufficientFunds, and IdempotencyKeyReused for a key already used with a different
    amount or method.
    """
    amount = _valid_amount(amount)
    accounts = ledger.user_accounts(user)
    # The user's available account row is the per-user lock: requests queue here, so the
    # balance and the day's count below are read with no other request in between.
    ledger.accounts_lock({accounts[AccountKind.AVAILABLE].pk})
    earlier = Withdrawal.objects.filter(user=user, idempotency_key=idempotency_key).first()
    if earlier:
        if earlier.amount != amount or earlier.method != method:
            raise IdempotencyKeyReused()
        return WithdrawalRequested(earlier, created=False)
    destination, payout_account = _destination(user, method)
    _check_daily_limit(user)
    if spendable_balance(user) < amount:
        raise InsufficientFunds()
    withdrawal = Withdrawal.objects.create(
        user=user,
        method=method,
        amount=amount,
        destination=destination,
        payout_account=payout_account,
        idempotency_key=idempotency_key,
    )
    _move(withdrawal, "hold", TransactionKind.WITHDRAWAL_HOLD, accounts, user)
    WithdrawalAudit.objects.create(withdrawal=withdrawal, actor=user, action=S.REQUESTED)
    _notify(withdrawal)
    return WithdrawalRequested(withdrawal, created=True)


def _valid_amount(amount) -> Decimal:
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(fields={"amount": [_("Enter an amount in rupees.")]}) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise DomainError(fields={"amount": [_("Use at most 2 decimal places.")]})
    minimum = minimum_withdrawal()
    if amount < minimum:
        message = _("The minimum withdrawal is %(minimum)s.") % {"minimum": format_inr(minimum)}
        raise BelowMinimum(message, fields={"amount": [message]})
    return quantize(amount)


def _destination(user: User, method: str) -> tuple[str, str]:
    """Where the payout goes: as shown to people (a bank account masked), and in full for
    the operator who pays it. Raises KycRequired, PayoutDestinationMissing."""
    if method not in PayoutMethod.values:
        raise DomainError(fields={"method": [_("Choose UPI or bank transfer.")]})
    kyc = KycProfile.objects.filter(user=user).first()
    if kyc is None or kyc.status != KycStatus.VERIFIED:
        raise KycRequired()
    if method == PayoutMethod.UPI and kyc.upi_id:
        return kyc.upi_id, kyc.upi_id
    if method == PayoutMethod.BANK and kyc.bank_last4:
        full = f"{kyc.bank_account} · IFSC {kyc.ifsc} · {kyc.legal_name}"
        return f"{kyc.ifsc} · {kyc.bank_masked}", full
    raise PayoutDestinationMissing(fields={"method": [PayoutDestinationMissing.default_message]})


def _check_daily_limit(user: User) -> None:
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    made_today = Withdrawal.objects.filter(user=user, created_at__gte=start).count()
    if made_today >= settings.WALLET_WITHDRAWALS_PER_DAY:
        raise DailyLimitReached()


def _move(withdrawal: Withdrawal, step: str, kind: str, accounts, actor: User | None) -> None:
    """The ledger side of a step. `release` is shared by rejection and failed payout, so a
    hold can be released once at most; `settle` pays it out."""
    held, available = accounts[AccountKind.HELD], accounts[AccountKind.AVAILABLE]
    source, target = {
        "hold": (available, held),
        "release": (held, available),
        "settle": (held, ledger.platform_account(AccountKind.PAYOUTS)),
    }[step]
    ledger.transaction_post(
        kind=kind,
        idempotency_key=f"withdrawal:{withdrawal.pk}:{'hold' if step == 'hold' else 'end'}",
        legs=[(source, -withdrawal.amount), (target, withdrawal.amount)],
        reference_type="withdrawal",
        reference_id=str(withdrawal.public_id),
        actor=actor,
        memo=withdrawal.get_method_display(),
    )


# --- Operator actions -------------------------------------------------------------------------


def withdrawal_approve(*, withdrawal: Withdrawal, operator: User) -> Withdrawal:
    return _operator_step(withdrawal, operator, S.APPROVED, from_statuses=(S.REQUESTED,))


def withdrawal_mark_paid(*, withdrawal: Withdrawal, operator: User, utr: str) -> Withdrawal:
    utr = utr.strip().upper()
    if not UTR_RE.match(utr):
        raise DomainError(fields={"utr": [_("Enter the bank's UTR (letters and digits).")]})
    try:
        return _operator_step(withdrawal, operator, S.PAID, from_statuses=(S.APPROVED,), utr=utr)
    except IntegrityError:
        # The unique constraint on UTR: another payout marked paid with the same UTR at the
        # same moment has it. Nothing of this step was written.
        if Withdrawal.objects.filter(utr=utr).exclude(pk=withdrawal.pk).exists():
            raise _utr_taken() from None
        raise


def _utr_taken() -> DomainError:
    return DomainError(fields={"utr": [_("This UTR is already recorded on another payout.")]})


def withdrawal_reject(*, withdrawal: Withdrawal, operator: User, reason: str) -> Withdrawal:
    return _operator_step(
        withdrawal, operator, S.REJECTED, from_statuses=(S.REQUESTED, S.APPROVED), reason=reason
    )


def withdrawal_mark_failed(*, withdrawal: Withdrawal, operator: User, reason: str) -> Withdrawal:
    return _operator_step(
        withdrawal, operator, S.FAILED, from_statuses=(S.APPROVED,), reason=reason
    )


ENDINGS = {
    S.PAID: ("settle", TransactionKind.WITHDRAWAL_PAID),
    S.REJECTED: ("release", TransactionKind.WITHDRAWAL_RELEASED),
    S.FAILED: ("release", TransactionKind.WITHDRAWAL_RELEASED),
}


def _operator_step(withdrawal, operator, status, *, from_statuses, utr="", reason=""):
    """Raises NotAnOperator, SelfApproval, InvalidTransition, DomainError (missing reason)."""
    if not operator.is_staff:
        raise NotAnOperator()
    if operator.pk == withdrawal.user_id:
        raise SelfApproval()
    _check_reason(status, reason)
    with transaction.atomic():
        locked = Withdrawal.objects.select_for_update().get(pk=withdrawal.pk)
        if locked.status not in from_statuses:
            raise InvalidTransition()
        # Only before paying: "paid" records a transfer that already happened.
        if status == S.APPROVED:
            _check_destination_unchanged(locked)
        if utr and Withdrawal.objects.filter(utr=utr).exclude(pk=locked.pk).exists():
            raise _utr_taken()
        _apply(locked, operator, status, utr=utr, reason=reason.strip())
        if status in ENDINGS:
            step, kind = ENDINGS[status]
            _move(locked, step, kind, ledger.user_accounts(locked.user), operator)
        note = utr or reason.strip()
        WithdrawalAudit.objects.create(withdrawal=locked, actor=operator, action=status, note=note)
        _notify(locked)
        return locked


def _check_reason(status: str, reason: str) -> None:
    if status not in (S.REJECTED, S.FAILED):
        return
    if not reason.strip():
        raise DomainError(fields={"reason": [_("Say why: the shopper sees this.")]})
    if len(reason.strip()) > REASON_MAX:
        message = _("Keep it under %(count)s characters.") % {"count": REASON_MAX}
        raise DomainError(fields={"reason": [message]})


def _check_destination_unchanged(withdrawal: Withdrawal) -> None:
    """Pay only where the shopper's verified details still point: if they changed them after
    asking (the new details await review), the operator must reject and they ask again."""
    try:
        current = _destination(withdrawal.user, withdrawal.method)[0]
    except DomainError:
        current = None
    if current != withdrawal.destination:
        raise PayoutDetailsChanged()


def _apply(withdrawal: Withdrawal, operator: User, status: str, *, utr: str, reason: str) -> None:
    now = timezone.now()
    withdrawal.status = status
    if status == S.APPROVED:
        withdrawal.approved_by, withdrawal.approved_at = operator, now
    else:
        withdrawal.completed_at = now
    withdrawal.utr = utr or withdrawal.utr
    withdrawal.reason = reason or withdrawal.reason
    withdrawal.save()


def _notify(withdrawal: Withdrawal) -> None:
    values = {"amount": format_inr(withdrawal.amount), "to": withdrawal.destination}
    title, body = {
        S.REQUESTED: (
            gettext_lazy("Withdrawal of %(amount)s requested"),
            gettext_lazy(
                "We will pay it to %(to)s after a quick check, usually within 2 working days."
            ),
        ),
        S.APPROVED: (
            gettext_lazy("Withdrawal of %(amount)s approved"),
            gettext_lazy("The payout to %(to)s is on its way."),
        ),
        S.PAID: (
            gettext_lazy("%(amount)s paid to %(to)s"),
            gettext_lazy("Bank reference (UTR): %(utr)s."),
        ),
        S.REJECTED: (
            gettext_lazy("Withdrawal of %(amount)s was rejected"),
            gettext_lazy("The amount is back in your available balance. Reason: %(reason)s"),
        ),
        S.FAILED: (
            gettext_lazy("Payout of %(amount)s failed"),
            gettext_lazy("The amount is back in your available balance. Reason: %(reason)s"),
        ),
    }[withdrawal.status]
    values.update(utr=withdrawal.utr, reason=withdrawal.reason)
    notification_send(
        user=withdrawal.user,
        kind="withdrawal_update",
        title=lambda: str(title) % values,
        body=lambda: str(body) % values,
        link="/wallet/?tab=withdrawals",
    )
