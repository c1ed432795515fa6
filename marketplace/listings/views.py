"""Marketplace pages: browse (/marketplace/), a listing, the sell page for a locker coupon, and
the seller's own listings with their withdraw buttons."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog import selectors as catalog_selectors
from coupzii.core.errors import DomainError
from coupzii.core.money import ZERO, InvalidAmount, parse_inr
from coupzii.core.pagination import paginate
from wallet import selectors as wallet_selectors

from ..errors import CouponNotFound, ListingNotFound
from ..models import CouponStatus, PaymentMethod, PurchaseStatus
from . import selectors, services
from .forms import BrowseForm, SellForm

PER_PAGE = 20
FILTER_LABELS = {
    "expiring": gettext_lazy("Expiring within 7 days"),
    "verified": gettext_lazy("Verified only"),
}


@require_safe
def listing_list(request):
    form = BrowseForm(
        request.GET,
        categories=catalog_selectors.categories_active(),
        stores=selectors.listing_stores(),
    )
    filters = form.filters()
    page, page_range = paginate(request, selectors.listings_browse(**filters), per_page=PER_PAGE)
    chips = _chips(request, form, filters)
    context = {
        "form": form,
        "page": page,
        "page_range": page_range,
        "sort": filters["sort"],
        "sort_choices": list(selectors.SORTS.items()),
        "chips": chips,
        "filter_count": len(chips),
    }
    return render(request, "marketplace/listings/list.html", context)


def _chips(request, form, filters) -> list[dict]:
    """The filters in use, each with a link that removes it (and goes back to page 1)."""
    chips = []
    for name in ("category", "store", "min_price", "max_price", "min_discount"):
        value = filters.get(name)
        if value in (None, ""):
            continue
        if name in ("category", "store"):
            label = dict(form.fields[name].choices).get(value, value).lstrip("— ")
        else:
            label = f"{form.fields[name].label}: {value}"
        chips.append({"label": label, "remove_url": _without(request, name)})
    for name, label in FILTER_LABELS.items():
        if filters.get(name):
            chips.append({"label": label, "remove_url": _without(request, name)})
    return chips


def _without(request, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    query.pop("page", None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


@require_safe
def listing_detail(request, public_id: uuid.UUID):
    try:
        listing = selectors.listing_for_buyer(public_id)
    except ListingNotFound:
        raise Http404(_("This listing is no longer for sale.")) from None
    reputation = selectors.seller_reputation([listing.seller_id])[listing.seller_id]
    signed_in = request.user.is_authenticated
    context = {
        "listing": listing,
        "reputation": reputation,
        "saving": listing.worth - listing.price,
        "dispute_hours": (
            settings.MARKETPLACE_DISPUTE_HOURS_VERIFIED
            if listing.verified
            else settings.MARKETPLACE_DISPUTE_HOURS
        ),
        "own": signed_in and listing.seller_id == request.user.pk,
        "swappable": selectors.listing_swappable(listing),
        "wallet_balance": wallet_selectors.spendable_balance(request.user) if signed_in else None,
        "methods": PaymentMethod.choices,
        "idempotency_key": uuid.uuid4().hex,
        "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
    }
    return render(request, "marketplace/listings/detail.html", context)


def _asked_price(request, *, worth: Decimal) -> Decimal | None:
    """The price a link asked for (`?price=60`, as the assistant's sell card sends the
    shopper's own figure), if it is a price this coupon may be listed at; else None."""
    try:
        price = parse_inr(request.GET.get("price", ""))
    except InvalidAmount:
        return None
    return price if ZERO < price <= worth else None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def listing_new(request, coupon_public_id: uuid.UUID):
    """The sell page. "Update" (or any invalid price) shows the fee and payout for the price
    typed; "List it" lists."""
    try:
        coupon = selectors.coupon_to_sell(user=request.user, public_id=coupon_public_id)
    except CouponNotFound:
        raise Http404(_("No such coupon in your locker.")) from None
    if coupon.worth is None or coupon.status != CouponStatus.ACTIVE:
        return render(request, "marketplace/listings/sell.html", {"coupon": coupon})
    initial_price = _asked_price(request, worth=coupon.worth) or (
        (coupon.worth * Decimal("0.6")).quantize(Decimal("1")) or coupon.worth
    )
    form = SellForm(request.POST or None, worth=coupon.worth, initial={"price": initial_price})
    price = initial_price
    if request.method == "POST":
        price = form.cleaned_data["price"] if form.is_valid() else None
    if price is not None and "list" in request.POST:
        try:
            listing = services.listing_create(
                seller=request.user,
                coupon=coupon,
                price=price,
                swap_welcome=form.cleaned_data["swap_welcome"],
            )
        except DomainError as refused:
            _form_errors(form, refused)
        else:
            messages.success(request, _("Listed. Shoppers can buy it now."))
            return redirect("marketplace:listing", public_id=listing.public_id)
    fee = services.listing_fee(price) if price else None
    context = {
        "coupon": coupon,
        "form": form,
        "price": price,
        "fee": fee,
        "payout": price - fee if price else None,
        "fee_percent": settings.MARKETPLACE_FEE_PERCENT,
        "can_list": True,
        "suspended": services.seller_is_suspended(request.user),
    }
    return render(request, "marketplace/listings/sell.html", context)


def _form_errors(form, refused: DomainError) -> None:
    if refused.fields:
        for field, messages_ in refused.fields.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, refused.message)


@login_required
@require_safe
def selling(request):
    page, page_range = paginate(
        request, selectors.listings_of_seller(request.user), per_page=PER_PAGE
    )
    for listing in page:
        listing.sale_label = (
            PurchaseStatus(listing.sale_status).label if listing.sale_status else ""
        )
    return render(
        request,
        "marketplace/listings/selling.html",
        {"page": page, "page_range": page_range},
    )


@login_required
@require_POST
def listing_withdraw(request, public_id: uuid.UUID):
    try:
        listing = selectors.listing_of_seller(user=request.user, public_id=public_id)
    except ListingNotFound:
        raise Http404(_("No such listing of yours.")) from None
    try:
        services.listing_withdraw(seller=request.user, listing=listing)
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Withdrawn. The coupon is back in your locker."))
    return redirect("marketplace:selling")
