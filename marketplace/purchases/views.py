"""Purchase pages: my purchases and sales, one purchase (the code once paid, for the buyer),
buying a listing (POST from the listing page) and the way to the gateway's pay page."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from coupzii.core.errors import DomainError
from coupzii.core.pagination import paginate

from ..models import ListingStatus, PaymentMethod, PurchaseStatus
from ..ratings.selectors import rating_by
from . import selectors, services
from .forms import BuyForm

PAGE_SIZE = 20
S = PurchaseStatus
CODE_SHOWN_FOR = (S.PAID, S.DISPUTED, S.RELEASED)
OUTCOMES = {"paid", "failed", "unverified"}


@login_required
@require_safe
def purchase_list(request):
    side = "sold" if request.GET.get("side") == "sold" else "bought"
    page, page_range = paginate(
        request, selectors.purchases_of(request.user, side=side), per_page=PAGE_SIZE
    )
    return render(
        request,
        "marketplace/purchases/list.html",
        {"page": page, "page_range": page_range, "side": side},
    )


@login_required
@never_cache  # the buyer's page shows the code: no cache may keep it
@require_safe
def purchase_detail(request, number: str):
    purchase = selectors.purchase_for(request.user, number)
    if purchase is None:
        raise Http404(_("No such purchase of yours."))
    is_buyer = purchase.buyer_id == request.user.pk
    code = ""
    if is_buyer and purchase.status in CODE_SHOWN_FOR and purchase.buyer_coupon_id:
        code = purchase.buyer_coupon.code
    outcome = request.GET.get("payment", "")
    return render(
        request,
        "marketplace/purchases/detail.html",
        {
            "purchase": purchase,
            "is_buyer": is_buyer,
            "code": code,
            "pending": purchase.status == S.PENDING_PAYMENT,
            "in_window": purchase.status == S.PAID
            and purchase.window_ends_at
            and purchase.window_ends_at > timezone.now(),
            "payment_outcome": outcome if outcome in OUTCOMES else "",
            "dispute_url": _url_or_blank("marketplace:dispute-new", purchase.number),
            "rate_url": _url_or_blank("marketplace:rate", purchase.number),
            "my_rating": (
                rating_by(request.user, purchase) if purchase.status == S.RELEASED else None
            ),
            # A failed or expired try: the listing may still be for sale, to try again.
            "listing_live": purchase.listing.status == ListingStatus.LIVE,
        },
    )


def _url_or_blank(name: str, *args) -> str:
    # Disputes and ratings are other areas' pages: linked once they exist.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _listing_url(listing_public_id) -> str:
    return _url_or_blank("marketplace:listing", listing_public_id) or reverse(
        "marketplace:purchases"
    )


@login_required
@require_POST
def buy(request, listing_public_id: uuid.UUID):
    form = BuyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to pay: card or UPI, or your wallet."))
        return redirect(_listing_url(listing_public_id))
    try:
        purchase = services.purchase_create(
            buyer=request.user,
            listing_public_id=listing_public_id,
            method=form.cleaned_data["method"],
            idempotency_key=form.cleaned_data["idempotency_key"] or uuid.uuid4().hex,
        )
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect(_listing_url(listing_public_id))
    if purchase.status == S.PENDING_PAYMENT and purchase.method == PaymentMethod.RAZORPAY:
        return redirect("marketplace:purchase-pay", number=purchase.number)
    if purchase.status == S.PAID:
        messages.success(request, _("Paid from your wallet. Your code is below."))
    return redirect("marketplace:purchase", number=purchase.number)


@login_required
@require_safe
def purchase_pay(request, number: str):
    """The buyer's way to the gateway: commerce's pay page for the purchase's open gateway
    order (the dev gateway, or Razorpay Checkout)."""
    purchase = selectors.purchase_for(request.user, number)
    if purchase is None or purchase.buyer_id != request.user.pk:
        raise Http404(_("No such purchase of yours."))
    payment = selectors.purchase_open_payment(purchase)
    if purchase.status != S.PENDING_PAYMENT or payment is None:
        return redirect("marketplace:purchase", number=purchase.number)
    return redirect("commerce:payable-pay", gateway_order_id=payment.gateway_order_id)
