"""The locker's writes: add a coupon (by hand, from a screenshot's review, or imported from a
book claim or a gift-card order), change it, mark it used, delete it, hand it to another
shopper (a sale or a swap), expire it, and nudge shoppers about coupons about to expire.

Codes are normalised (spaces out, upper case) before they are stored, so "save 20" and
"SAVE20" are one code with one digest: the digest (catalog's keyed hash) is what the unique
index `marketplace_locker_code_once` and the listings' checks compare, since the code itself
is encrypted. Every service works inside a caller's transaction (`atomic`, not durable): the
scan review, a purchase's delivery and a swap's accept call them in theirs.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.services import Notice, notifications_send
from catalog.models import Category, Merchant
from catalog.services import code_digest, normalise_code
from commerce import selectors as commerce_selectors
from coupzii.core.money import InvalidAmount, column_amount, format_inr
from coupzii.core.validators import has_nul
from offers.models import CodeStatus, CouponCode

from .. import kinds
from ..errors import (
    CodeAlreadyInLocker,
    CouponListed,
    CouponNotAvailable,
    LockerCouponInvalid,
)
from ..models import Benefit, CouponStatus, LockerCoupon, Source

CODE_MIN_LENGTH = 3
CODE_MAX_LENGTH = 64
CODE_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")
TEXT_MAX_LENGTH = 2000
STORE_MAX_LENGTH = 120
MONEY_FIELDS = ("benefit_value", "min_order", "max_discount", "worth")
# The fields a shopper may change (locker_coupon_update); source, owner and status are not.
EDITABLE = (
    "code",
    "merchant",
    "store_name",
    "category",
    "benefit",
    *MONEY_FIELDS,
    "expires_on",
    "terms",
    "notes",
)
# Coupons expiring within this many days get one nudge to sell or swap them.
NUDGE_DAYS = 7
# The suggested price: this share of what the coupon saves, in whole rupees.
NUDGE_PRICE_SHARE = Decimal("0.60")
# Statuses in which a coupon still belongs to its owner's history but no longer to them.
HANDED_ON = (CouponStatus.SOLD, CouponStatus.GONE)

_BENEFIT_OF_OFFER = {
    "percentage": Benefit.PERCENT,
    "fixed": Benefit.FIXED,
    "bogo": Benefit.BOGO,
    "free_shipping": Benefit.FREE_SHIPPING,
}


# --- Matching a store --------------------------------------------------------------------------


def store_match(name: str) -> Merchant | None:
    """The merchant a shopper (or a screenshot) means by `name`: its name or slug, whatever the
    case, or its website's host ("amazon.in", "https://www.myntra.com/sale"). Active merchants
    first; None when nothing matches."""
    text = " ".join((name or "").split())
    if not text or len(text) > 200 or has_nul(text):
        return None
    merchants = Merchant.objects.order_by("-is_active", "pk")
    merchant = merchants.filter(name__iexact=text).first()
    if merchant is None and slugify(text):
        merchant = merchants.filter(slug=slugify(text)).first()
    if merchant is not None:
        return merchant
    host = _host(text)
    if not host:
        return None
    # The website column holds full URLs: narrow with a substring, then compare hosts.
    for candidate in merchants.filter(website__icontains=host)[:20]:
        if _host(candidate.website) == host:
            return candidate
    return None


def _host(text: str) -> str:
    """ "https://www.Amazon.in/deals" -> "amazon.in"; "" when the text is not a host."""
    text = text.strip().lower()
    if " " in text or "." not in text:
        return ""
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    return host.removeprefix("www.")


def _category_of(merchant: Merchant) -> Category | None:
    return merchant.categories.order_by("position", "pk").first()


# --- Adding --------------------------------------------------------------------------------------


@transaction.atomic
def locker_coupon_add(
    *,
    owner,
    code: str,
    source: str,
    benefit: str,
    merchant: Merchant | None = None,
    store_name: str = "",
    category: Category | None = None,
    benefit_value=None,
    min_order=None,
    max_discount=None,
    worth=None,
    expires_on: datetime.date | None = None,
    terms: str = "",
    notes: str = "",
    book_code=None,
    voucher_id: int | None = None,
) -> LockerCoupon:
    """Put a coupon in `owner`'s locker and return it (ACTIVE).

    Checks the code (3-64 letters, digits, - or _ once spaces are taken out), the money fields,
    that the expiry is not in the past and the texts' lengths; matches `store_name` to a
    merchant when no merchant is given; takes the category from the merchant; works out
    `worth` when not given (fixed: the value; percentage: its maximum discount).

    Raises LockerCouponInvalid (messages by field in `fields`) and CodeAlreadyInLocker (the
    owner already holds this code, also when two adds race: the unique index decides).
    """
    values = _checked(
        code=code,
        source=source,
        benefit=benefit,
        merchant=merchant,
        store_name=store_name,
        category=category,
        benefit_value=benefit_value,
        min_order=min_order,
        max_discount=max_discount,
        worth=worth,
        expires_on=expires_on,
        terms=terms,
        notes=notes,
        strict=True,
    )
    return _create(owner=owner, book_code=book_code, voucher_id=voucher_id, **values)


def _create(*, owner, status=CouponStatus.ACTIVE, **values) -> LockerCoupon:
    coupon = LockerCoupon(owner=owner, status=status, **values)
    coupon.code_digest = code_digest(coupon.code)
    if _holds_code(owner, coupon.code_digest):
        raise CodeAlreadyInLocker()
    try:
        # A savepoint: two adds of one code at once (two tabs, a double-submitted form) leave
        # one row; the loser's IntegrityError must not break the caller's transaction.
        with transaction.atomic():
            coupon.save()
    except IntegrityError as exc:
        raise CodeAlreadyInLocker() from exc
    return coupon


def _holds_code(owner, digest: str, *, exclude_pk: int | None = None) -> bool:
    rows = LockerCoupon.objects.filter(owner=owner, code_digest=digest).exclude(
        status=CouponStatus.GONE
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return rows.exists()


def _checked(*, strict: bool, **values) -> dict:
    """The values cleaned and completed, or LockerCouponInvalid with every problem by field.

    `strict=False` (imports of codes Coupzii itself issued) skips what a shopper must give but
    an offer may leave out: the value of a percentage or fixed discount.
    """
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    code = _clean_code(values["code"], refuse)
    if values["source"] not in Source.values:
        refuse("source", _("Not a source a coupon can come from."))
    benefit = values["benefit"]
    if benefit not in Benefit.values:
        refuse("benefit", _("Choose what the coupon gives."))
    money = {field: _clean_money(field, values[field], refuse) for field in MONEY_FIELDS}
    _check_benefit(benefit, money, refuse, strict=strict)
    expires_on = values["expires_on"]
    if expires_on is not None and not isinstance(expires_on, datetime.date):
        refuse("expires_on", _("Enter a date."))
    elif strict and expires_on is not None and expires_on < timezone.localdate():
        refuse("expires_on", _("This date has passed: the coupon has already expired."))
    texts = {}
    limits = (("store_name", STORE_MAX_LENGTH), ("terms", TEXT_MAX_LENGTH))
    for field, limit in (*limits, ("notes", TEXT_MAX_LENGTH)):
        text = (values[field] or "").strip()
        if has_nul(text):
            refuse(field, _("This text has a character that can't be stored."))
        elif len(text) > limit:
            refuse(field, _("At most %(max)s characters.") % {"max": limit})
        texts[field] = text
    if errors:
        raise LockerCouponInvalid(fields=errors)

    merchant = values["merchant"]
    store_name = " ".join(texts["store_name"].split())
    if merchant is None and store_name:
        merchant = store_match(store_name)
    if merchant is not None:
        # The merchant's own name is shown; keep what the shopper typed only when unmatched.
        store_name = ""
    category = values["category"]
    if category is None and merchant is not None:
        category = _category_of(merchant)
    worth = money["worth"]
    if worth is None:
        worth = _worth(benefit, money)
    return {
        "code": code,
        "source": values["source"],
        "benefit": benefit,
        "merchant": merchant,
        "store_name": store_name,
        "category": category,
        **{field: money[field] for field in MONEY_FIELDS},
        "worth": worth,
        "expires_on": expires_on,
        "terms": texts["terms"],
        "notes": texts["notes"],
    }


def _clean_code(code, refuse) -> str:
    code = normalise_code(code if isinstance(code, str) else "")
    if len(code) < CODE_MIN_LENGTH:
        refuse("code", _("A code has at least %(min)s characters.") % {"min": CODE_MIN_LENGTH})
    elif len(code) > CODE_MAX_LENGTH:
        refuse("code", _("A code has at most %(max)s characters.") % {"max": CODE_MAX_LENGTH})
    elif not code.isprintable():
        # Control and direction characters (U+202E shows ABC123 as 321CBA), NUL.
        refuse("code", _("A code has only characters you can see and type."))
    elif not CODE_CHARACTERS.fullmatch(code):
        # Store codes are letters and digits, sometimes with - or _; anything else is a typo
        # (or a note typed into the code box) that no checkout would take.
        refuse("code", _("A code has only letters, digits, - and _."))
    return code


def _clean_money(field: str, value, refuse) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = column_amount(value)
    except InvalidAmount:
        refuse(field, _("Enter an amount in rupees."))
        return None
    if amount < 0:
        refuse(field, _("An amount can't be negative."))
    return amount


def _check_benefit(benefit: str, money: dict, refuse, *, strict: bool) -> None:
    value = money["benefit_value"]
    if benefit == Benefit.PERCENT:
        if value is None and strict:
            refuse("benefit_value", _("Enter the percentage off."))
        elif value is not None and not Decimal("0") < value <= Decimal("100"):
            refuse("benefit_value", _("A percentage is more than 0 and at most 100."))
    elif benefit == Benefit.FIXED:
        if value is None and strict:
            refuse("benefit_value", _("Enter the rupees off."))
        elif value is not None and value <= 0:
            refuse("benefit_value", _("Enter an amount above ₹0."))
    for field in ("max_discount", "worth"):
        if money[field] is not None and money[field] <= 0:
            refuse(field, _("Enter an amount above ₹0."))
    worth = money["worth"]
    if worth is None:
        return
    if benefit == Benefit.FIXED and value is not None and worth > value:
        refuse("worth", _("A coupon can't save more than its rupees off."))
    cap = money["max_discount"]
    if benefit == Benefit.PERCENT and cap is not None and worth > cap:
        refuse("worth", _("A coupon can't save more than its maximum discount."))


def _worth(benefit: str, money: dict) -> Decimal | None:
    """The most the coupon saves, when it can be told from its terms."""
    if benefit == Benefit.FIXED:
        return money["benefit_value"]
    if benefit == Benefit.PERCENT:
        return money["max_discount"]
    return None


# --- Changing -------------------------------------------------------------------------------------


@transaction.atomic
def locker_coupon_update(*, coupon: LockerCoupon, changes: dict) -> LockerCoupon:
    """Change the fields in `changes` (any of EDITABLE) of the owner's coupon. A new code is
    normalised and digested again; a new store name is matched again; `worth` is worked out
    again unless given. An expired coupon given a later expiry is active again.

    Raises CouponListed (withdraw the listing first), CouponNotAvailable (sold or swapped
    away), LockerCouponInvalid, CodeAlreadyInLocker.
    """
    coupon = _locked(coupon)
    if coupon.status == CouponStatus.LISTED:
        raise CouponListed()
    if coupon.status in HANDED_ON:
        raise CouponNotAvailable()
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    current = {field: getattr(coupon, field) for field in EDITABLE}
    current["store_name"] = coupon.store_name
    if "store_name" in changes and "merchant" not in changes:
        current["merchant"] = None  # the typed store is matched again
    if ({"store_name", "merchant"} & set(changes)) and "category" not in changes:
        current["category"] = None  # the (new) merchant's category
    if set(changes) & {"benefit", "benefit_value", "max_discount"} and "worth" not in changes:
        current["worth"] = None  # worked out again from the new terms
    merged = {**current, **changes}
    values = _checked(
        source=coupon.source,
        # An unchanged past expiry stays (an expired coupon's notes can still be edited).
        strict="expires_on" in changes,
        **merged,
    )
    if "expires_on" not in changes:
        values["expires_on"] = coupon.expires_on
    for field in EDITABLE:
        setattr(coupon, field, values[field])
    digest = code_digest(coupon.code)
    if digest != coupon.code_digest:
        if _holds_code(coupon.owner_id, digest, exclude_pk=coupon.pk):
            raise CodeAlreadyInLocker()
        coupon.code_digest = digest
    if coupon.status == CouponStatus.EXPIRED and not _is_past(coupon.expires_on):
        coupon.status = CouponStatus.ACTIVE
    if "expires_on" in changes:
        coupon.reminded_at = None  # a new expiry earns a new nudge
    try:
        with transaction.atomic():
            coupon.save()
    except IntegrityError as exc:
        raise CodeAlreadyInLocker() from exc
    return coupon


def _is_past(expires_on: datetime.date | None) -> bool:
    return expires_on is not None and expires_on < timezone.localdate()


def _locked(coupon: LockerCoupon) -> LockerCoupon:
    """The coupon's row again, locked: a purchase or swap may be moving it right now."""
    return (
        LockerCoupon.objects.select_for_update(of=("self",))
        .select_related("merchant", "category")
        .get(pk=coupon.pk)
    )


@transaction.atomic
def locker_coupon_mark_used(*, coupon: LockerCoupon) -> LockerCoupon:
    """The owner used the coupon: USED, and any swap offered for it is withdrawn.

    Raises CouponListed (withdraw the listing first), CouponNotAvailable (not active)."""
    coupon = _locked(coupon)
    if coupon.status == CouponStatus.USED:
        return coupon
    if coupon.status == CouponStatus.LISTED:
        raise CouponListed()
    if coupon.status not in (CouponStatus.ACTIVE, CouponStatus.EXPIRED):
        raise CouponNotAvailable()
    coupon.status = CouponStatus.USED
    coupon.used_at = timezone.now()
    coupon.save(update_fields=["status", "used_at", "updated_at"])
    _withdraw_swaps([coupon.pk])
    return coupon


@transaction.atomic
def locker_coupon_delete(*, coupon: LockerCoupon) -> None:
    """Take a coupon out of the locker.

    A coupon that was ever listed or offered in a swap is kept for those records (marked GONE,
    which the locker never shows) rather than deleted; sold and swapped-away coupons are the
    locker's history and stay. Raises CouponListed, CouponNotAvailable (sold or gone).
    """
    coupon = _locked(coupon)
    if coupon.status == CouponStatus.LISTED:
        raise CouponListed()
    if coupon.status in HANDED_ON:
        raise CouponNotAvailable()
    _withdraw_swaps([coupon.pk])
    if _has_records(coupon):
        coupon.status = CouponStatus.GONE
        coupon.save(update_fields=["status", "updated_at"])
        return
    coupon.delete()


def _has_records(coupon: LockerCoupon) -> bool:
    from ..models import Exchange

    return (
        coupon.listings.exists()
        or Exchange.objects.filter(Q(offered=coupon) | Q(wanted=coupon)).exists()
    )


def _withdraw_swaps(coupon_ids: list[int]) -> None:
    """Pending swaps that offer or want these coupons end (the swaps area's service). Looked
    up when called: swaps imports the locker, not the other way round at import time."""
    from ..swaps import services as swap_services

    withdraw = getattr(swap_services, "exchanges_withdraw_for", None)
    if withdraw is not None and coupon_ids:
        withdraw(coupon_ids=coupon_ids)


# --- Handing on ----------------------------------------------------------------------------------


@transaction.atomic
def locker_coupon_transfer(
    *, coupon: LockerCoupon, to_user, source: str, new_status_for_old: str
) -> LockerCoupon:
    """Move a coupon to `to_user` (a sale or a swap): the old row becomes `new_status_for_old`
    (SOLD or GONE) and stays in the seller's history; a new ACTIVE row for `to_user` carries
    the same code and fields with `source` (BOUGHT or SWAPPED). Call it inside the caller's
    transaction with the coupon's row locked (select_for_update).

    Raises CodeAlreadyInLocker when `to_user` already holds this code.
    """
    if new_status_for_old not in HANDED_ON:
        raise ValueError("A coupon handed on is SOLD or GONE.")
    if source not in (Source.BOUGHT, Source.SWAPPED):
        raise ValueError("A coupon received is BOUGHT or SWAPPED.")
    coupon.status = new_status_for_old
    coupon.save(update_fields=["status", "updated_at"])
    received = LockerCoupon(
        owner=to_user,
        source=source,
        status=CouponStatus.ACTIVE,
        code=coupon.code,
        code_digest=coupon.code_digest,
        merchant_id=coupon.merchant_id,
        store_name=coupon.store_name,
        category_id=coupon.category_id,
        benefit=coupon.benefit,
        benefit_value=coupon.benefit_value,
        min_order=coupon.min_order,
        max_discount=coupon.max_discount,
        worth=coupon.worth,
        expires_on=coupon.expires_on,
        terms=coupon.terms,
        book_code_id=coupon.book_code_id,
        voucher_id=coupon.voucher_id,
    )
    # The receiver may hold the book code or voucher already in their history (swapped away,
    # then back): the provenance columns are unique per owner, so the new row goes without.
    history = LockerCoupon.objects.filter(owner=to_user)
    if received.book_code_id and history.filter(book_code_id=received.book_code_id).exists():
        received.book_code_id = None
    if received.voucher_id and history.filter(voucher_id=received.voucher_id).exists():
        received.voucher_id = None
    if _holds_code(to_user, received.code_digest):
        raise CodeAlreadyInLocker()
    try:
        with transaction.atomic():
            received.save()
    except IntegrityError as exc:
        raise CodeAlreadyInLocker() from exc
    return received


# --- Importing what Coupzii issued ---------------------------------------------------------------


@transaction.atomic
def locker_import_held(*, user) -> int:
    """Add the codes `user` holds elsewhere on Coupzii and does not have in the locker yet:
    codes claimed from stores' books (source CLAIMED, `book_code` set) and gift-card codes
    delivered on their orders (source GIFT_CARD, `voucher_id` set). Expired ones are left out.
    A code the shopper already typed in by hand is linked to its book code or voucher rather
    than added twice. Idempotent: run it as often as the locker page opens. Returns how many
    coupons were added."""
    if user is None or not user.is_authenticated:
        return 0
    added = 0
    known = LockerCoupon.objects.filter(owner=user)
    known_books = set(known.exclude(book_code=None).values_list("book_code_id", flat=True))
    known_vouchers = set(known.exclude(voucher_id=None).values_list("voucher_id", flat=True))
    today = timezone.localdate()
    for book_code in _held_book_codes(user, today):
        if book_code.pk not in known_books:
            added += _import_one(user, _from_book_code(book_code), book_code=book_code)
    for voucher in _delivered_vouchers(user, today):
        if voucher.pk not in known_vouchers:
            added += _import_one(user, _from_voucher(voucher), voucher_id=voucher.pk)
    return added


def _held_book_codes(user, today: datetime.date):
    now = timezone.now()
    return (
        CouponCode.objects.filter(holder=user, status__in=(CodeStatus.ASSIGNED, CodeStatus.LOCKED))
        .order_by("pk")
        .filter(Q(book__offer__ends_at__isnull=True) | Q(book__offer__ends_at__gt=now))
        .select_related("book__offer__merchant", "book__offer__category")
    )


def _delivered_vouchers(user, today: datetime.date):
    return commerce_selectors.gift_card_codes_of(user).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )


def _from_book_code(book_code) -> dict:
    offer = book_code.book.offer
    ends_on = timezone.localtime(offer.ends_at).date() if offer.ends_at else None
    return {
        "code": book_code.code,
        "source": Source.CLAIMED,
        "benefit": _BENEFIT_OF_OFFER.get(offer.discount_type, Benefit.FIXED),
        "merchant": offer.merchant,
        "store_name": "",
        "category": offer.category,
        "benefit_value": offer.discount_value,
        "min_order": offer.min_order,
        "max_discount": offer.max_discount,
        "worth": None,
        "expires_on": ends_on,
        "terms": (offer.terms or "")[:TEXT_MAX_LENGTH],
        "notes": (offer.title or "")[:TEXT_MAX_LENGTH],
    }


def _from_voucher(voucher) -> dict:
    product = voucher.variant.product
    return {
        "code": voucher.code,
        "source": Source.GIFT_CARD,
        "benefit": Benefit.FIXED,
        "merchant": product.merchant,
        "store_name": "",
        "category": product.category,
        "benefit_value": voucher.variant.face_value,
        "min_order": None,
        "max_discount": None,
        "worth": voucher.variant.face_value,
        "expires_on": voucher.expires_on,
        "terms": "",
        "notes": product.name[:TEXT_MAX_LENGTH],
    }


def _import_one(user, values: dict, *, book_code=None, voucher_id=None) -> int:
    """1 if the code was added; 0 if it was linked to the shopper's own row or can't be."""
    try:
        checked = _checked(strict=False, **values)
        _create(owner=user, book_code=book_code, voucher_id=voucher_id, **checked)
    except CodeAlreadyInLocker:
        _link(user, values["code"], book_code=book_code, voucher_id=voucher_id)
        return 0
    except LockerCouponInvalid:
        return 0  # an offer whose terms the locker can't hold; nothing the shopper can fix
    return 1


def _link(user, code: str, *, book_code, voucher_id) -> None:
    """The shopper typed in a code Coupzii issued them: record where it came from, so a sale
    of it can be verified (a book code) or allowed (their own gift card)."""
    row = (
        LockerCoupon.objects.filter(owner=user, code_digest=code_digest(code))
        .exclude(status=CouponStatus.GONE)
        .first()
    )
    if row is None:
        return
    if book_code is not None and row.book_code_id is None:
        row.book_code = book_code
    if voucher_id is not None and row.voucher_id is None:
        row.voucher_id = voucher_id
    try:
        with transaction.atomic():
            row.save(update_fields=["book_code", "voucher_id", "updated_at"])
    except IntegrityError:
        pass  # linked by a concurrent import already


# --- Expiry --------------------------------------------------------------------------------------


@transaction.atomic
def locker_expire_due() -> int:
    """ACTIVE coupons whose expiry day has passed become EXPIRED, and swaps offered for them
    are withdrawn. Returns how many expired."""
    today = timezone.localdate()
    due = LockerCoupon.objects.filter(status=CouponStatus.ACTIVE, expires_on__lt=today)
    ids = list(due.values_list("pk", flat=True)[:5000])
    if not ids:
        return 0
    # The status is checked again in the UPDATE: a coupon listed or used meanwhile is left be.
    count = LockerCoupon.objects.filter(pk__in=ids, status=CouponStatus.ACTIVE).update(
        status=CouponStatus.EXPIRED, updated_at=timezone.now()
    )
    _withdraw_swaps(ids)
    return count


def suggested_price(worth: Decimal | None) -> Decimal | None:
    """What to ask for a coupon about to expire: 60% of what it saves, in whole rupees; None
    when what it saves is not known, or too little to ask ₹1 for (a listing's least price)."""
    if worth is None or worth <= 0:
        return None
    price = (worth * NUDGE_PRICE_SHARE).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    if price < 1 or price > worth:
        return None
    return price.quantize(Decimal("0.01"))


@transaction.atomic
def locker_expiry_nudges() -> int:
    """One notice per ACTIVE coupon expiring within NUDGE_DAYS days that has not had one: sell
    it or swap it, with a suggested price when its worth is known. Returns how many were sent.

    The coupons are claimed (`reminded_at`) by the same UPDATE that picks them, with
    SKIP LOCKED, so two runs at once send each nudge once."""
    today = timezone.localdate()
    now = timezone.now()
    due = (
        LockerCoupon.objects.filter(
            status=CouponStatus.ACTIVE,
            reminded_at__isnull=True,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=NUDGE_DAYS),
        )
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("owner", "merchant")
        .order_by("pk")[:2000]
    )
    coupons = list(due)
    if not coupons:
        return 0
    LockerCoupon.objects.filter(pk__in=[coupon.pk for coupon in coupons]).update(reminded_at=now)
    notifications_send([_nudge(coupon, today) for coupon in coupons])
    return len(coupons)


def _nudge(coupon: LockerCoupon, today: datetime.date) -> Notice:
    store = coupon.store_label or gettext_lazy("your store")
    days = (coupon.expires_on - today).days
    price = suggested_price(coupon.worth)

    def title() -> str:
        if days == 0:
            return _("Your %(store)s coupon expires today") % {"store": store}
        return ngettext(
            "Your %(store)s coupon expires tomorrow",
            "Your %(store)s coupon expires in %(days)s days",
            days,
        ) % {"store": store, "days": days}

    def body() -> str:
        if price is None:
            return _("Not going to use it? Sell it or offer it in a swap before it expires.")
        return _(
            "Not going to use it? Sell it (we suggest %(price)s) or offer it in a swap "
            "before it expires."
        ) % {"price": format_inr(price)}

    return Notice(
        user=coupon.owner,
        kind=kinds.NOTICE_EXPIRY,
        title=title,
        body=body,
        link=reverse("marketplace:locker-coupon", args=[coupon.public_id]),
    )
