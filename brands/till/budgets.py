"""Budgets: a brand's cap on redemptions and/or rupees of discount for one offer or one book,
spent by a redemption guard inside the redemption's own transaction.

How the cap holds under load: every redeem of a capped offer or book runs ONE conditional
UPDATE per budget (`SET used = used + 1 ... WHERE id = %s AND used + 1 <= cap ...`). PostgreSQL
re-checks the WHERE clause against the latest committed row when two redemptions race on it,
so the second waits for the first and sees its spending; nothing is read first and written
after. No row updated means the cap is reached: the guard raises BudgetExhausted, offers rolls
the redeem back and audits the refusal. The table's check constraints are the last word.

At 80% and 100% of a cap the brand is told once each: a conditional UPDATE of
`alerted_80_at IS NULL` in the same transaction decides which redemption sends it, and the
notification and webhook rows are written with the redemption and go out after commit.
"""

import logging
from decimal import Decimal
from functools import partial

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brands.models import Budget, Membership, Role

from . import errors, events

logger = logging.getLogger(__name__)

BUDGET_NOTIFICATION_KIND = "brand_budget"
ALERT_LEVELS = ((100, "alerted_100_at"), (80, "alerted_80_at"))

_SPEND = """
UPDATE brands_budget
   SET redemptions_used = redemptions_used + 1,
       discount_used = discount_used + %s,
       updated_at = %s
 WHERE id = %s
   AND (max_redemptions IS NULL OR redemptions_used + 1 <= max_redemptions)
   AND (max_discount IS NULL OR discount_used + %s <= max_discount)
RETURNING brand_id, redemptions_used, max_redemptions, discount_used, max_discount
"""

# Given back only by a budget that existed when the redemption spent it.
_GIVE_BACK = """
UPDATE brands_budget
   SET redemptions_used = CASE WHEN redemptions_used > 0 THEN redemptions_used - 1 ELSE 0 END,
       discount_used = CASE WHEN discount_used > %s THEN discount_used - %s ELSE 0 END,
       updated_at = %s
 WHERE id = %s AND created_at <= %s
"""


def _budget_ids(book) -> list[int]:
    return list(
        Budget.objects.filter(Q(offer_id=book.offer_id) | Q(book_id=book.pk)).values_list(
            "id", flat=True
        )
    )


class BudgetGuard:
    """The redemption guard offers runs in every redeem and rollback (registered in
    brands.apps)."""

    def on_redeem(self, *, book, code, audit) -> None:
        discount = audit.discount_amount if audit.discount_amount else Decimal("0")
        now = timezone.now()
        for budget_id in _budget_ids(book):
            with connection.cursor() as cursor:
                cursor.execute(_SPEND, [discount, now, budget_id, discount])
                spent = cursor.fetchone()
            if spent is None:
                raise errors.BudgetExhausted()
            brand_id, used, cap, discount_used, discount_cap = spent
            _alert_when_crossed(
                budget_id=budget_id,
                brand_id=brand_id,
                percent=used_percent(used, cap, discount_used, discount_cap),
            )

    def on_rollback(self, *, book, code, audit, redeemed) -> None:
        discount = redeemed.discount_amount if redeemed.discount_amount else Decimal("0")
        now = timezone.now()
        for budget_id in _budget_ids(book):
            with connection.cursor() as cursor:
                cursor.execute(
                    _GIVE_BACK, [discount, discount, now, budget_id, redeemed.created_at]
                )


budget_guard = BudgetGuard()


def used_percent(used, cap, discount_used, discount_cap) -> int:
    """The larger share of either cap spent, in whole percent (0 without caps)."""
    shares = []
    if cap:
        shares.append(Decimal(used) * 100 / Decimal(cap))
    if discount_cap:
        shares.append(Decimal(str(discount_used)) * 100 / Decimal(str(discount_cap)))
    return int(max(shares, default=Decimal("0")))


def _alert_when_crossed(*, budget_id: int, brand_id: int, percent: int) -> None:
    now = timezone.now()
    for level, column in ALERT_LEVELS:
        if percent < level:
            continue
        # Only the redemption whose UPDATE flips the column from NULL sends the alert.
        if Budget.objects.filter(pk=budget_id, **{f"{column}__isnull": True}).update(
            **{column: now}
        ):
            budget_alert_send(budget_id=budget_id, level=level)


def budget_alert_send(*, budget_id: int, level: int) -> None:
    """Tell the brand's owners and admins (notification) and its webhooks (`budget.80`,
    `budget.100`) that a budget reached `level` percent. Runs in the redemption's
    transaction: both write their rows there and deliver after the commit."""
    from accounts.services import Notice, notifications_send

    budget = (
        Budget.objects.select_related("brand", "offer", "book", "book__offer")
        .filter(pk=budget_id)
        .first()
    )
    if budget is None:
        return
    target = budget_target_name(budget)
    if level >= 100:
        title = partial(_text, _("Budget used up: %(target)s"), target)
        body = partial(_text, _("Redemptions of %(target)s are now refused at the till."), target)
    else:
        title = partial(_text, _("Budget 80%% used: %(target)s"), target)
        body = partial(_text, _("%(target)s has used 80%% of its budget."), target)
    link = reverse("brands:budget_list", args=[budget.brand.slug])
    managers = Membership.objects.filter(
        brand=budget.brand, role__in=(Role.OWNER, Role.ADMIN)
    ).select_related("user")
    notifications_send(
        [
            Notice(user=m.user, kind=BUDGET_NOTIFICATION_KIND, title=title, body=body, link=link)
            for m in managers
        ]
    )
    events.emit(
        brand=budget.brand,
        event=f"budget.{level}",
        data={
            "budget": str(budget.public_id),
            "offer": str(budget.offer.public_id) if budget.offer else None,
            "book": str(budget.book.public_id) if budget.book else None,
            "max_redemptions": budget.max_redemptions,
            "redemptions_used": budget.redemptions_used,
            "max_discount": str(budget.max_discount) if budget.max_discount is not None else None,
            "discount_used": str(budget.discount_used),
        },
    )


def _text(message, target: str) -> str:
    """A notice's text in the active language (notifications render it in each)."""
    return str(message) % {"target": target}


def budget_target_name(budget: Budget) -> str:
    if budget.offer_id:
        return budget.offer.title
    return f"{budget.book.name} ({budget.book.offer.title})"


# --- Budgets from the portal --------------------------------------------------------------------


def _check_caps(max_redemptions, max_discount) -> None:
    if max_redemptions is None and max_discount is None:
        message = str(_("Set a cap on redemptions, on discount, or both."))
        raise errors.BudgetInvalid(message, fields={"max_redemptions": [message]})


@transaction.atomic
def budget_create(
    *,
    brand,
    offer=None,
    book=None,
    max_redemptions: int | None = None,
    max_discount: Decimal | None = None,
) -> Budget:
    """Cap one of the brand's offers or books. Raises BudgetInvalid (no cap, no target or
    two, a target of another brand, a target that already has a budget)."""
    from .services import brand_books

    _check_caps(max_redemptions, max_discount)
    if (offer is None) == (book is None):
        message = str(_("Choose one offer or one code book."))
        raise errors.BudgetInvalid(message, fields={"target": [message]})
    if offer is not None and not brand.offers.filter(offer=offer).exists():
        raise errors.BudgetInvalid(fields={"target": [str(errors.BudgetInvalid.default_message)]})
    if book is not None and not brand_books(brand).filter(pk=book.pk).exists():
        raise errors.BudgetInvalid(fields={"target": [str(errors.BudgetInvalid.default_message)]})
    exists = Budget.objects.filter(offer=offer) if offer else Budget.objects.filter(book=book)
    if exists.exists():
        raise _already_capped()
    try:
        # The check above is a read: a budget saved for the same target meanwhile is caught
        # by the one-to-one's unique index.
        with transaction.atomic():
            return Budget.objects.create(
                brand=brand,
                offer=offer,
                book=book,
                max_redemptions=max_redemptions,
                max_discount=max_discount,
            )
    except IntegrityError as exc:
        if not exists.exists():
            raise  # another constraint: not the race this catches
        raise _already_capped() from exc


def _already_capped() -> errors.BudgetInvalid:
    message = str(_("This already has a budget: change that one."))
    return errors.BudgetInvalid(message, fields={"target": [message]})


@transaction.atomic
def budget_update(
    *, budget: Budget, max_redemptions: int | None, max_discount: Decimal | None
) -> Budget:
    """Change a budget's caps. A cap below what is already spent is refused (one conditional
    UPDATE, so a redemption spending meanwhile cannot slip under it). Alerts are armed again
    when the new caps bring the budget back under 80% / 100%. Raises BudgetInvalid."""
    _check_caps(max_redemptions, max_discount)
    within = Q(pk=budget.pk)
    if max_redemptions is not None:
        within &= Q(redemptions_used__lte=max_redemptions)
    if max_discount is not None:
        within &= Q(discount_used__lte=max_discount)
    if not Budget.objects.filter(within).update(
        max_redemptions=max_redemptions, max_discount=max_discount, updated_at=timezone.now()
    ):
        message = str(_("A cap cannot be below what is already used."))
        raise errors.BudgetInvalid(message, fields={"max_redemptions": [message]})
    budget.refresh_from_db()
    percent = used_percent(
        budget.redemptions_used, budget.max_redemptions, budget.discount_used, budget.max_discount
    )
    rearm = {column: None for level, column in ALERT_LEVELS if percent < level}
    if rearm:
        Budget.objects.filter(pk=budget.pk).update(**rearm)
        budget.refresh_from_db()
    return budget


def budget_delete(*, budget: Budget) -> None:
    budget.delete()


def budget_get(*, brand, public_id) -> Budget:
    """Raises BudgetNotFound for a budget of another brand."""
    budget = Budget.objects.filter(brand=brand, public_id=public_id).first()
    if budget is None:
        raise errors.BudgetNotFound()
    return budget
