"""Offer pages: every live offer with filters, a category's offers, a merchant's page, search
and the header's autocomplete.

The merchant and category pages live here rather than in catalog because they list offers, and
catalog must not depend on offers. Every read goes through catalog.selectors and
offers.selectors; each page runs a fixed number of queries whatever its length. The offers a
page shows count one view each, in Redis (offers.views_counter), never with a query.
"""

from urllib.parse import urlencode, urlsplit

from django import forms
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from catalog import selectors as catalog_selectors
from catalog.models import Category, Merchant
from catalog.selectors import MAX_QUERY_LENGTH
from coupzii.core.pagination import paginate

from . import selectors
from .cache_coherence import catalog_cached
from .models import DiscountType, OfferKind
from .views_counter import offer_views_count

SORT_CHOICES = [
    ("popular", _("Popular")),
    ("newest", _("Newest")),
    ("ending", _("Ending soon")),
    ("cashback", _("Highest cashback")),
]
KIND_CHOICES = [
    ("", _("Any type")),
    (OfferKind.CODE, _("Coupon codes")),
    (OfferKind.DEAL, _("Deals")),
    (OfferKind.UNIQUE_CODE, _("Personal codes")),
]
DISCOUNT_CHOICES = [
    ("", _("Any discount")),
    (DiscountType.PERCENTAGE, _("Percentage off")),
    (DiscountType.FIXED, _("Amount off (₹)")),
    (DiscountType.BOGO, _("Buy one get one")),
    (DiscountType.FREE_SHIPPING, _("Free delivery")),
]
# A merchant page's tabs: codes include personal (unique) codes, which are codes to a shopper.
MERCHANT_TABS = [("all", _("All")), ("codes", _("Codes")), ("deals", _("Deals"))]
# Search ranks results; past the first few pages they stop being useful.
SEARCH_LIMIT = 96
SEARCH_MERCHANTS_SHOWN = 12
AUTOCOMPLETE_MIN_LENGTH = 2


class OfferFilterForm(forms.Form):
    """The GET form of the offer lists. Invalid fields are reported and ignored; the rest
    still filter."""

    merchant = forms.ChoiceField(label=_("Store"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=KIND_CHOICES)
    discount_type = forms.ChoiceField(label=_("Discount"), required=False, choices=DISCOUNT_CHOICES)
    min_discount = forms.DecimalField(
        # xgettext:no-python-format
        label=_("At least (% or ₹)"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        decimal_places=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": _("e.g. 20")}),
    )
    has_cashback = forms.BooleanField(label=_("Earns cashback"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, data, *, merchants: list[tuple[str, str]], categories=None):
        super().__init__(data, auto_id="filter-%s")
        self.fields["merchant"].choices = [("", _("All stores")), *merchants]
        if categories is None:
            del self.fields["category"]
        else:
            choices = [("", _("All categories"))]
            for category in categories:
                choices.append((category.slug, category.name))
                choices += [(child.slug, f"— {child.name}") for child in category.children.all()]
            self.fields["category"].choices = choices
        for name, field in self.fields.items():
            css = "form-check-input" if name == "has_cashback" else "form-select"
            if name == "min_discount":
                css = "form-control"
            field.widget.attrs.setdefault("class", css)

    def filters(self) -> dict:
        """The selector's keyword arguments from the valid fields; marks the invalid ones."""
        self.is_valid()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"filter-{name}-error"
        data = self.cleaned_data
        return {
            "merchant_slug": data.get("merchant") or "",
            "category_slug": data.get("category") or "",
            "kind": data.get("kind") or "",
            "discount_type": data.get("discount_type") or "",
            "min_discount": data.get("min_discount"),
            # Unticked means "any", not "only offers without cashback".
            "has_cashback": True if data.get("has_cashback") else None,
            "sort": data.get("sort") or "popular",
        }


def _active_filter_chips(request, form: OfferFilterForm, filters: dict) -> list[dict]:
    """One removable chip per filter in use: its label and the URL without it."""
    labels = {
        "merchant": dict(form.fields["merchant"].choices),
        "kind": dict(KIND_CHOICES),
        "discount_type": dict(DISCOUNT_CHOICES),
    }
    if "category" in form.fields:
        labels["category"] = dict(form.fields["category"].choices)
    values = {
        "merchant": filters["merchant_slug"],
        "category": filters["category_slug"],
        "kind": filters["kind"],
        "discount_type": filters["discount_type"],
    }
    chips = []
    for name, value in values.items():
        if value and name in labels:
            chips.append({"label": str(labels[name][value]).lstrip("— "), "name": name})
    if filters["min_discount"] is not None:
        chips.append(
            {
                "label": _("At least %(value)s (%% or ₹)") % {"value": filters["min_discount"]},
                "name": "min_discount",
            }
        )
    if filters["has_cashback"]:
        chips.append({"label": _("Earns cashback"), "name": "has_cashback"})
    for chip in chips:
        params = request.GET.copy()
        params.pop(chip["name"], None)
        params.pop("page", None)
        chip["remove_url"] = f"?{params.urlencode()}" if params else request.path
    return chips


def _offer_list_page(request, *, template: str, category: Category | None, extra: dict):
    """The shared body of /coupons/ and /categories/<slug>/."""
    scoped_slug = category.slug if category else ""
    merchant_choices = list(
        catalog_selectors.merchants_list(category_slug=scoped_slug).values_list("slug", "name")
    )
    categories = None if category else list(catalog_selectors.categories_active())
    form = OfferFilterForm(request.GET, merchants=merchant_choices, categories=categories)
    filters = form.filters()
    if category:
        filters["category_slug"] = category.slug
    offers = selectors.offers_list(**filters)
    page, page_range = paginate(request, offers)
    page.object_list = list(page.object_list)
    offer_views_count(offer.pk for offer in page.object_list)
    chips = _active_filter_chips(request, form, filters)
    context = {
        "form": form,
        "page": page,
        "page_range": page_range,
        "sort": filters["sort"],
        "sort_choices": SORT_CHOICES,
        "chips": chips,
        "filter_count": len(chips),
        "category": category,
        "uses_today": selectors.offers_uses_today(page.object_list),
        **extra,
    }
    return render(request, template, context)


@require_safe
def offer_list(request):
    return _offer_list_page(request, template="offers/offer_list.html", category=None, extra={})


@require_safe
def category_detail(request, slug: str):
    try:
        category = catalog_selectors.category_by_slug(slug)
    except Category.DoesNotExist:
        raise Http404 from None
    stores = list(catalog_selectors.merchants_list(category_slug=category.slug)[:12])
    return _offer_list_page(
        request,
        template="catalog/category_detail.html",
        category=category,
        extra={"stores": stores},
    )


def _merchant_page_data(slug: str, tab: str) -> dict | None:
    """The store, its tab's live offers and the tab counts: what the merchant page caches."""
    try:
        merchant = catalog_selectors.merchant_by_slug(slug)
    except Merchant.DoesNotExist:
        return None
    deals = selectors.offers_for_merchant(merchant, kind=OfferKind.DEAL)
    by_tab = {
        "all": selectors.offers_for_merchant(merchant),
        "codes": selectors.offers_for_merchant(merchant, kind=OfferKind.CODE)
        | selectors.offers_for_merchant(merchant, kind=OfferKind.UNIQUE_CODE),
        "deals": deals,
    }
    # Every live offer is a code, a personal code or a deal: one count gives all three tabs.
    deal_count = deals.count()
    counts = {
        "all": merchant.live_offer_count,
        "codes": merchant.live_offer_count - deal_count,
        "deals": deal_count,
    }
    return {
        "merchant": merchant,
        "offers": list(by_tab[tab]),
        "counts": counts,
        "related": list(catalog_selectors.merchants_related(merchant, 6)),
    }


@require_safe
def merchant_detail(request, slug: str):
    tab = request.GET.get("tab", "all")
    tab = tab if tab in dict(MERCHANT_TABS) else "all"
    # Cached until the catalog changes, or for two minutes as offers end by the clock.
    data = catalog_cached(
        f"merchant:{slug}:{tab}", lambda: _merchant_page_data(slug, tab) or {}, timeout=120
    )
    if not data:
        raise Http404
    merchant, counts = data["merchant"], data["counts"]
    page, page_range = paginate(request, data["offers"])
    page.object_list = list(page.object_list)
    offer_views_count(offer.pk for offer in page.object_list)
    tabs = [
        {
            "key": key,
            "label": label,
            "count": counts[key],
            "url": f"?{urlencode({'tab': key})}" if key != "all" else request.path,
        }
        for key, label in MERCHANT_TABS
    ]
    return render(
        request,
        "catalog/merchant_detail.html",
        {
            "merchant": merchant,
            "website_host": urlsplit(merchant.website).hostname or "",
            "cashback": catalog_selectors.merchant_cashback_label(merchant),
            "tab": tab,
            "tabs": tabs,
            "page": page,
            "page_range": page_range,
            "related": data["related"],
            "uses_today": selectors.offers_uses_today(page.object_list),
        },
    )


@require_safe
def search(request):
    q = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    results = selectors.search(q, limit=SEARCH_LIMIT) if q else selectors.SearchResults()
    page, page_range = paginate(request, results.offers)
    offer_views_count(offer.pk for offer in page.object_list)
    return render(
        request,
        "offers/search.html",
        {
            "q": q,
            "merchants": results.merchants[:SEARCH_MERCHANTS_SHOWN],
            "merchant_total": len(results.merchants),
            "page": page,
            "page_range": page_range,
            "uses_today": selectors.offers_uses_today(page.object_list),
        },
    )


@require_safe
@cache_control(max_age=60)
def search_autocomplete(request):
    """Suggestions for the header's search box: `{"q": ..., "results": [{type, label, url}]}`."""
    q = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    suggestions = selectors.autocomplete(q) if len(q) >= AUTOCOMPLETE_MIN_LENGTH else []
    results = []
    for suggestion in suggestions:
        if suggestion["type"] == "merchant":
            url = reverse("merchant_detail", args=[suggestion["slug"]])
        else:
            merchant_url = reverse("merchant_detail", args=[suggestion["merchant_slug"]])
            url = f"{merchant_url}#offer-{suggestion['public_id']}"
        results.append({"type": suggestion["type"], "label": suggestion["label"], "url": url})
    return JsonResponse({"q": q, "results": results})
