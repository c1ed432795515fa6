"""Offer reads shared by pages, the API and the assistant: live offers, filtered and sorted
lists, top / expiring / trending / for-you rails, search and autocomplete.

An offer is *live* when its status is active, it has started, it has not ended and its
merchant is active. Lists return querysets with the merchant and category joined
(`select_related`), so a page of offers is one query however long it is.

Search runs PostgreSQL full-text search plus trigram similarity (typos such as "flipcart"),
which needs the pg_trgm extension; on SQLite (the embedded default) it is a substring search.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    Expression,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import CashbackKind, Category, Merchant
from catalog.selectors import MerchantOffers, cashback_label, merchants_for_cards
from coupzii.core.money import format_inr
from offers import clickout, trending, views_counter

from .activity import ActivityRow as ActivityRow
from .activity import ProductActivityRow as ProductActivityRow
from .activity import offer_activity_for_day as offer_activity_for_day
from .activity import product_activity_for_day as product_activity_for_day

# `catalog_cached as catalog_cached`: the catalog page cache, re-exported for the home page.
from .books.selectors import redemption_for_key as redemption_for_key
from .cache_coherence import catalog_cached as catalog_cached
from .discounts import DiscountQuote as DiscountQuote
from .discounts import offer_discount as offer_discount

# Registries the apps above offers fill with a shopper's orders and locker (the "For you" rail).
from .foryou_sources import taste_source_register as taste_source_register
from .foryou_sources import used_offer_source_register as used_offer_source_register
from .models import (
    BookStatus,
    CodeStatus,
    CouponBook,
    CouponCode,
    DiscountType,
    Offer,
    OfferKind,
    OfferStatus,
)

if TYPE_CHECKING:
    from .foryou import ForYou

SORTS = ("popular", "newest", "ending", "cashback")
# Trigram word similarity at or above which a name or title counts as a (fuzzy) match:
# "flipcart" ~ "Flipkart" scores 0.5 and "amazn" ~ "Amazon" 0.67, while "myntra" ~
# "Mamaearth" (one shared trigram) scores 0.14.
TRIGRAM_MIN = 0.4
# Full-text search for Indian brand names: no stemming or stop words ("simple").
SEARCH_CONFIG = "simple"


class InvalidFilter(ValueError):
    """A filter or sort value the selectors do not know. `field` names the argument, so the
    API can answer 400 with the message beside the right input."""

    def __init__(self, field_name: str, message: str):
        self.field = field_name
        self.message = message
        super().__init__(f"{field_name}: {message}")


# --- Live offers -----------------------------------------------------------------------------


def live_offers_q(*, now: datetime, prefix: str = "") -> Q:
    """The condition for a live offer (active, started, not ended), also for use from a related
    model: `prefix="offers__"` from Merchant."""
    return Q(**{f"{prefix}status": OfferStatus.ACTIVE, f"{prefix}starts_at__lte": now}) & (
        Q(**{f"{prefix}ends_at__isnull": True}) | Q(**{f"{prefix}ends_at__gt": now})
    )


#: What catalog's merchant cards need to know about offers (registered in OffersConfig.ready):
#: the count and the best rates of a merchant's live offers, through `Merchant.offers`.
MERCHANT_OFFERS = MerchantOffers(
    live_count=lambda now: Count("offers", filter=live_offers_q(now=now, prefix="offers__")),
    best_rate=lambda kind, now: Max(
        "offers__cashback_value",
        filter=live_offers_q(now=now, prefix="offers__") & Q(offers__cashback_kind=kind),
    ),
)


def offers_live(now: datetime | None = None) -> QuerySet[Offer]:
    """Live offers (active, started, not ended, merchant active) with merchant and category
    joined. The base of every shopper-facing list."""
    now = now or timezone.now()
    live = Offer.objects.filter(live_offers_q(now=now), merchant__is_active=True)
    return with_claimable(live.select_related("merchant", "category"))


def with_claimable(offers: QuerySet[Offer]) -> QuerySet[Offer]:
    """Annotate `claimable`: for a unique-code offer, whether one of its active books still
    has a code to hand out (what `books.code_claim` takes); False for every other kind.

    An EXISTS subquery in the same SELECT, so a page of offers costs no query per offer. A
    card shows "Get my code" only when it is True, instead of a button that answers "not
    being handed out right now".
    """
    free_code = CouponCode.objects.filter(
        book__offer=OuterRef("pk"),
        book__status=BookStatus.ACTIVE,
        status=CodeStatus.AVAILABLE,
        redemption_count=0,
    )
    return offers.annotate(
        claimable=Case(
            When(kind=OfferKind.UNIQUE_CODE, then=Exists(free_code)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def offer_is_live(offer: Offer, *, now: datetime | None = None) -> bool:
    """Whether an offer (already loaded, with its merchant) is live right now."""
    now = now or timezone.now()
    return (
        offer.status == OfferStatus.ACTIVE
        and offer.starts_at <= now
        and (offer.ends_at is None or offer.ends_at > now)
        and offer.merchant.is_active
    )


def offer_by_public_id(public_id: uuid.UUID | str) -> Offer:
    """One offer by its public id, live or not (callers decide what to show for expired,
    paused or future offers: see `offer_is_live`), with merchant and category joined.

    Raises Offer.DoesNotExist, also for text that is not a UUID.
    """
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Offer.DoesNotExist(f"Not an offer id: {public_id!r}") from exc
    offers = with_claimable(Offer.objects.select_related("merchant", "category"))
    return offers.get(public_id=public_id)


# --- Cashback ---------------------------------------------------------------------------------


def with_effective_cashback(offers: QuerySet[Offer]) -> QuerySet[Offer]:
    """Annotate `effective_cashback_kind` and `effective_cashback_value`: the offer's own
    cashback when it sets a kind (the override), else its merchant's. Kind none counts as 0."""
    overrides = ~Q(cashback_kind="")
    money = DecimalField(max_digits=12, decimal_places=2)
    return offers.annotate(
        effective_cashback_kind=Case(
            When(overrides, then=F("cashback_kind")), default=F("merchant__cashback_kind")
        ),
        effective_cashback_value=Case(
            When(Q(overrides, cashback_kind=CashbackKind.NONE), then=Value(Decimal("0"))),
            When(overrides, then=Coalesce(F("cashback_value"), Value(Decimal("0")))),
            When(merchant__cashback_kind=CashbackKind.NONE, then=Value(Decimal("0"))),
            default=F("merchant__cashback_value"),
            output_field=money,
        ),
    )


def offer_cashback(offer: Offer) -> tuple[str, Decimal]:
    """(kind, value) of an offer's cashback: its override when it sets a kind, else its
    merchant's (the merchant must be loaded, as every selector here does)."""
    if offer.cashback_kind:
        return offer.cashback_kind, offer.cashback_value or Decimal("0")
    return offer.merchant.cashback_kind, offer.merchant.cashback_value


def offer_cashback_label(offer: Offer) -> str:
    """ "Up to 7% cashback" / "Flat ₹150 cashback" / "" for one offer."""
    return cashback_label(*offer_cashback(offer))


# --- Lists ----------------------------------------------------------------------------------


def offers_list(
    *,
    merchant_slug: str = "",
    category_slug: str = "",
    kind: str = "",
    discount_type: str = "",
    min_discount: Decimal | None = None,
    has_cashback: bool | None = None,
    sort: str = "popular",
    now: datetime | None = None,
) -> QuerySet[Offer]:
    """Live offers filtered and sorted, for the offers pages and `GET /api/v1/offers/`.

    Filters (empty / None means "any"):
    - `merchant_slug`: one merchant's offers.
    - `category_slug`: offers in that category or one of its children. An offer without a
      category of its own is filed under its merchant's categories.
    - `kind`, `discount_type`: one of OfferKind / DiscountType.
    - `min_discount`: percentage and amount-off offers whose discount_value is at least this
      (10 keeps "10% off" and "₹10 off" alike; BOGO and free shipping have no value).
    - `has_cashback`: True keeps offers earning cashback (their override or the merchant's is
      above 0), False those that earn none.

    Sorts (ties broken newest first, then by id, so pages never overlap):
    - popular: most clicked first, then featured.
    - newest: latest start first.
    - ending: soonest end first; only offers with an end date.
    - cashback: best cashback first. A percentage and a flat amount cannot be compared without
      an order value, so every percentage offer comes before every flat one, each group by
      value descending, and offers without cashback last.

    Raises InvalidFilter (a ValueError) for an unknown sort, kind or discount type, or a
    negative min_discount.
    """
    if sort not in SORTS:
        raise InvalidFilter("sort", f"Unknown sort {sort!r}; use one of {', '.join(SORTS)}.")
    if kind and kind not in OfferKind.values:
        raise InvalidFilter("kind", f"Unknown kind {kind!r}.")
    if discount_type and discount_type not in DiscountType.values:
        raise InvalidFilter("discount_type", f"Unknown discount type {discount_type!r}.")
    if min_discount is not None and min_discount < 0:
        raise InvalidFilter("min_discount", "The minimum discount cannot be negative.")

    offers = offers_live(now)
    if merchant_slug:
        offers = offers.filter(merchant__slug=merchant_slug)
    if category_slug:
        offers = offers.filter(_in_category(category_slug))
    if kind:
        offers = offers.filter(kind=kind)
    if discount_type:
        offers = offers.filter(discount_type=discount_type)
    if min_discount is not None:
        offers = offers.filter(
            discount_type__in=[DiscountType.PERCENTAGE, DiscountType.FIXED],
            discount_value__gte=min_discount,
        )
    if has_cashback is not None or sort == "cashback":
        offers = with_effective_cashback(offers)
    if has_cashback is True:
        offers = offers.filter(effective_cashback_value__gt=0)
    elif has_cashback is False:
        offers = offers.filter(effective_cashback_value=0)
    return _sorted(offers, sort)


def _in_category(slug: str) -> Q:
    category_ids = Category.objects.filter(
        Q(slug=slug) | Q(parent__slug=slug, parent__is_active=True), is_active=True
    ).values("pk")
    merchants_in_category = Merchant.objects.filter(categories__in=category_ids).values("pk")
    return Q(category__in=category_ids) | Q(
        category__isnull=True, merchant__in=merchants_in_category
    )


def _sorted(offers: QuerySet[Offer], sort: str) -> QuerySet[Offer]:
    if sort == "newest":
        return offers.order_by("-starts_at", "-pk")
    if sort == "ending":
        return offers.filter(ends_at__isnull=False).order_by(
            F("ends_at").asc(nulls_last=True), "pk"
        )
    if sort == "cashback":
        kind_rank = Case(
            When(effective_cashback_value__lte=0, then=Value(2)),
            When(effective_cashback_kind=CashbackKind.PERCENT, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return offers.annotate(cashback_rank=kind_rank).order_by(
            "cashback_rank", "-effective_cashback_value", "-clicks_count", "-starts_at", "-pk"
        )
    return offers.order_by("-clicks_count", "-featured", "-starts_at", "-pk")


def offers_top(limit: int = 12, *, now: datetime | None = None) -> QuerySet[Offer]:
    """Up to `limit` live offers for a home-page rail: featured first, then most clicked."""
    return offers_live(now).order_by("-featured", "-clicks_count", "-starts_at", "-pk")[:limit]


def offers_expiring(
    within_days: int = 3, limit: int | None = 12, *, now: datetime | None = None
) -> QuerySet[Offer]:
    """Live offers ending within `within_days` days, soonest first (`limit=None`: all of them,
    for a paginated list)."""
    now = now or timezone.now()
    expiring = offers_live(now).filter(ends_at__lte=now + timedelta(days=within_days))
    expiring = expiring.order_by("ends_at", "pk")
    return expiring if limit is None else expiring[:limit]


def offers_trending(limit: int = 12, *, now: datetime | None = None) -> QuerySet[Offer]:
    """Up to `limit` live offers in the order of `offers.trending.top_offer_ids` (decayed clicks
    in Redis, hottest first). Falls back to `offers_top` when nothing has been clicked lately or
    none of the hot offers is live any more.

    One Redis call, then one query (plus one existence check when Redis has ids).
    """
    # Ask for extra ids: some of the hottest offers may have expired since they were clicked.
    hot_ids = trending.top_offer_ids(limit * 2)
    if hot_ids:
        position = Case(
            *[When(pk=offer_id, then=Value(rank)) for rank, offer_id in enumerate(hot_ids)],
            output_field=IntegerField(),
        )
        hot = (
            offers_live(now)
            .filter(pk__in=hot_ids)
            .annotate(trending_rank=position)
            .order_by("trending_rank")
        )
        if hot.exists():
            return hot[:limit]
    return offers_top(limit, now=now)


def offers_for_merchant(
    merchant: Merchant, kind: str | None = None, *, now: datetime | None = None
) -> QuerySet[Offer]:
    """A merchant's live offers for its page: featured, then verified, then most clicked.

    Raises InvalidFilter for an unknown kind.
    """
    if kind and kind not in OfferKind.values:
        raise InvalidFilter("kind", f"Unknown kind {kind!r}.")
    offers = offers_live(now).filter(merchant=merchant)
    if kind:
        offers = offers.filter(kind=kind)
    return offers.order_by("-featured", "-verified", "-clicks_count", "-starts_at", "-pk")


# --- For you (offers.foryou) -------------------------------------------------------------------


def offers_for_you(user: Any, limit: int = 12, *, now: datetime | None = None) -> ForYou:
    """The "For you" rail (`offers.foryou.ForYou`: offers, personal, reason): offers picked
    from the shopper's clicks, claims, orders and locker, mixed with trending; trending for
    visitors and shoppers without history. One query when the rail is in Redis."""
    # Imported here: foryou builds on the selectors above.
    from .foryou import for_you

    return for_you(user, limit, now=now)


# --- Uses today (Redis) -----------------------------------------------------------------------


def offers_uses_today(offers: list[Offer] | QuerySet[Offer]) -> dict[int, int]:
    """{offer.id: uses today} for many offers in ONE Redis round trip (MGET), so a list costs
    the same whatever its length. The counters are kept by the click-out (offers.clickout)."""
    return clickout.uses_today([offer.pk for offer in offers])


# --- Search ---------------------------------------------------------------------------------


@dataclass
class SearchResults:
    """Merchants and live offers matching a query, each list best match first."""

    merchants: list[Merchant] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)


def search(q: str, *, limit: int = 20, now: datetime | None = None) -> SearchResults:
    """Active merchants and live offers for a shopper's query, best first, at most `limit` of
    each. Merchants come ready for cards (`live_offer_count`, categories prefetched): three
    queries in all.

    PostgreSQL: full-text search ('simple' config) weighted title A, merchant name A (B on an
    offer), description C, plus trigram word similarity on names and titles so a typo
    ("flipcart", "amazn") still finds the merchant. A merchant named like the query ranks
    above one that only mentions it in its description. Needs the pg_trgm extension.

    SQLite: a case-insensitive substring match on name, title and description; name matches
    (exact, then prefix, then anywhere) before description matches.
    """
    q = " ".join(q.split())
    if not q:
        return SearchResults()
    if connection.vendor == "postgresql":
        return _search_postgres(q, limit=limit, now=now)
    return _search_substring(q, limit=limit, now=now)


def _search_postgres(q: str, *, limit: int, now: datetime | None) -> SearchResults:
    trigram = has_trigram_support()
    query = SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")

    merchant_document = SearchVector("name", weight="A", config=SEARCH_CONFIG) + SearchVector(
        *_languages("description"), weight="C", config=SEARCH_CONFIG
    )
    merchants = (
        Merchant.objects.filter(is_active=True)
        .annotate(
            document=merchant_document,
            similarity=_similarity(q, "name", trigram=trigram),
        )
        .filter(Q(document=query) | Q(similarity__gte=TRIGRAM_MIN))
        .annotate(rank=SearchRank(merchant_document, query) + F("similarity"))
    )
    merchants = merchants_for_cards(merchants, now=now).order_by("-rank", "name")[:limit]

    offer_document = (
        SearchVector(*_languages("title"), weight="A", config=SEARCH_CONFIG)
        + SearchVector("merchant__name", weight="B", config=SEARCH_CONFIG)
        + SearchVector(*_languages("description"), weight="C", config=SEARCH_CONFIG)
    )
    offers = (
        offers_live(now)
        .annotate(
            document=offer_document,
            similarity=Greatest(
                *(_similarity(q, field, trigram=trigram) for field in _languages("title")),
                _similarity(q, "merchant__name", trigram=trigram),
                output_field=FloatField(),
            ),
        )
        .filter(Q(document=query) | Q(similarity__gte=TRIGRAM_MIN))
        .annotate(rank=SearchRank(offer_document, query) + F("similarity"))
        .order_by("-rank", "-clicks_count", "-pk")[:limit]
    )
    return SearchResults(merchants=list(merchants), offers=list(offers))


def _search_substring(q: str, *, limit: int, now: datetime | None) -> SearchResults:
    merchants = (
        Merchant.objects.filter(is_active=True)
        .filter(Q(name__icontains=q) | _in_any_language("description", "icontains", q))
        .annotate(
            rank=Case(
                When(name__iexact=q, then=Value(0)),
                When(name__istartswith=q, then=Value(1)),
                When(name__icontains=q, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
    )
    merchants = merchants_for_cards(merchants, now=now).order_by("rank", "name")[:limit]
    offers = (
        offers_live(now)
        .filter(
            _in_any_language("title", "icontains", q)
            | Q(merchant__name__icontains=q)
            | _in_any_language("description", "icontains", q)
        )
        .annotate(
            rank=Case(
                When(merchant__name__iexact=q, then=Value(0)),
                When(_in_any_language("title", "icontains", q), then=Value(1)),
                When(merchant__name__icontains=q, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "-clicks_count", "-pk")[:limit]
    )
    return SearchResults(merchants=list(merchants), offers=list(offers))


def autocomplete(q: str, limit: int = 8, *, now: datetime | None = None) -> list[dict]:
    """Suggestions while typing: up to `limit` small dicts, merchants before offers.

    `{"type": "merchant", "label": name, "slug": slug}` or
    `{"type": "offer", "label": title, "public_id": "<uuid>", "merchant_slug": slug}`.
    Names starting with `q` come first; on PostgreSQL with pg_trgm, trigram similarity also
    catches typos. Two queries.
    """
    q = " ".join(q.split())
    if not q or limit <= 0:
        return []
    starts = Case(
        When(name__istartswith=q, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    merchants = Merchant.objects.filter(is_active=True).annotate(starts=starts)
    offers = offers_live(now).annotate(
        starts=Case(
            When(_in_any_language("title", "istartswith", q), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )
    if has_trigram_support():
        merchants = merchants.annotate(similarity=TrigramWordSimilarity(q, "name")).filter(
            Q(name__icontains=q) | Q(similarity__gte=TRIGRAM_MIN)
        )
        merchants = merchants.order_by("starts", "-similarity", "name")
        similarities = [TrigramWordSimilarity(q, field) for field in _languages("title")]
        offers = offers.annotate(
            similarity=Greatest(*similarities, output_field=FloatField())
        ).filter(_in_any_language("title", "icontains", q) | Q(similarity__gte=TRIGRAM_MIN))
        offers = offers.order_by("starts", "-similarity", "-clicks_count", "-pk")
    else:
        merchants = merchants.filter(name__icontains=q).order_by("starts", "name")
        offers = offers.filter(_in_any_language("title", "icontains", q)).order_by(
            "starts", "-clicks_count", "-pk"
        )

    found_merchants = list(merchants.values("name", "slug")[:limit])
    found_offers = list(offers.values("title", "public_id", "merchant__slug")[:limit])
    # Merchants first, but keep room for offers: at least half the list when there are some.
    room_for_offers = min(len(found_offers), limit // 2)
    found_merchants = found_merchants[: limit - room_for_offers]
    found_offers = found_offers[: limit - len(found_merchants)]
    return [
        {"type": "merchant", "label": merchant["name"], "slug": merchant["slug"]}
        for merchant in found_merchants
    ] + [
        {
            "type": "offer",
            "label": offer["title"],
            "public_id": str(offer["public_id"]),
            "merchant_slug": offer["merchant__slug"],
        }
        for offer in found_offers
    ]


_trigram_ready: set[str] = set()


def has_trigram_support() -> bool:
    """Whether the database has the pg_trgm extension, which typo-tolerant search needs.

    Without it (the extension not created yet) search still works, with full-text matching
    only. A yes is remembered for the process; a no is asked again, so creating the extension
    takes effect without a restart.
    """
    if connection.vendor != "postgresql":
        return False
    if connection.alias in _trigram_ready:
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        found = cursor.fetchone() is not None
    if found:
        _trigram_ready.add(connection.alias)
    return found


def _languages(field: str) -> list[str]:
    """A translated field's column in every site language: ["title_en", "title_hi"].

    Search names them itself: a plain "title" would mean only the active language's column
    (django-modeltranslation), and a shopper reading in Hindi still types "pizza"."""
    return [f"{field}_{code}" for code, _name in settings.LANGUAGES]


def _in_any_language(field: str, lookup: str, q: str) -> Q:
    matches = Q()
    for column in _languages(field):
        matches |= Q(**{f"{column}__{lookup}": q})
    return matches


def _similarity(q: str, field_name: str, *, trigram: bool) -> Expression:
    if trigram:
        return TrigramWordSimilarity(q, field_name)
    return Value(0.0, output_field=FloatField())


def clicks_in_buffer() -> int:
    """Click-outs waiting in Redis for the click writer (operators' metrics)."""
    return clickout.buffered_clicks_waiting()


def views_in_buffer() -> int:
    """Offer-days with views waiting in Redis for the views flush (operators' metrics)."""
    return views_counter.offer_views_waiting()


# --- Book codes, for the marketplace ---------------------------------------------------------


def book_code_held_by_other(*, code: str, merchant_id: int, user_id: int) -> bool:
    """Whether `code` is a code of one of the merchant's books that a shopper other than
    `user_id` holds (claimed, locked or redeemed): the marketplace refuses to list it."""
    typed = "".join(code.split())
    return (
        CouponCode.objects.filter(
            book__offer__merchant_id=merchant_id,
            code__in={typed, typed.upper()},
            holder__isnull=False,
        )
        .exclude(holder_id=user_id)
        .exclude(status__in=(CodeStatus.AVAILABLE, CodeStatus.VOID))
        .exists()
    )


def offers_at_claim_limit(user, public_ids) -> set[str]:
    """Of the offers with these public ids, those a claim by `user` would refuse with "you
    already have as many codes as one shopper may" (books.code_claim's ClaimLimitReached):
    the shopper holds `per_user_limit` codes of one of its active books, and no active book
    they hold fewer of has a free code. Public ids as strings; one query for the whole list,
    so a list of cards can show "you hold it" instead of a button that refuses."""
    public_ids = {str(public_id) for public_id in public_ids}
    if not public_ids:
        return set()
    free_code = CouponCode.objects.filter(
        book=OuterRef("pk"), status=CodeStatus.AVAILABLE, redemption_count=0
    )
    books = (
        CouponBook.objects.filter(
            offer__public_id__in=public_ids,
            offer__kind=OfferKind.UNIQUE_CODE,
            status=BookStatus.ACTIVE,
        )
        .annotate(held=Count("codes", filter=Q(codes__holder=user)), free=Exists(free_code))
        .values_list("offer__public_id", "per_user_limit", "held", "free")
    )
    full, open_to_claim = set(), set()
    for offer_id, limit, held, free in books:
        if held >= limit:
            full.add(str(offer_id))
        elif free:
            open_to_claim.add(str(offer_id))
    return full - open_to_claim


# --- Labels -------------------------------------------------------------------------------------


def offer_discount_label(offer: Offer) -> str:
    """The short label of an offer's discount, as its card's corner and the assistant say it:
    "50% off", "₹200 off", "Buy 1 Get 1", "Free delivery", else "Deal"."""
    value = offer.discount_value
    if offer.discount_type == DiscountType.PERCENTAGE and value:
        return gettext("%(percent)s%% off") % {"percent": f"{value.normalize():f}"}
    if offer.discount_type == DiscountType.FIXED and value:
        return gettext("%(amount)s off") % {"amount": format_inr(value)}
    if offer.discount_type == DiscountType.BOGO:
        return gettext("Buy 1 Get 1")
    if offer.discount_type == DiscountType.FREE_SHIPPING:
        return gettext("Free delivery")
    return gettext("Deal")
