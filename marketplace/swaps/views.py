"""Swap pages: my swaps (incoming and outgoing, with accept, reject and cancel), a new swap
for a listed coupon, and one swap. Another shopper's swap is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coupzii.core.errors import DomainError
from coupzii.core.pagination import paginate

from ..models import ExchangeStatus
from . import selectors, services
from .forms import SwapForm

PER_PAGE = 20


@login_required
@require_safe
def swap_list(request):
    role = request.GET.get("role")
    role = role if role in selectors.ROLES else selectors.INCOMING
    status = request.GET.get("status", "")
    status = status if status in ExchangeStatus.values else ""
    exchanges = selectors.exchanges_for(request.user, role=role, status=status)
    page, page_range = paginate(request, exchanges, per_page=PER_PAGE)
    return render(
        request,
        "marketplace/swaps/swap_list.html",
        {
            "page": page,
            "page_range": page_range,
            "role": role,
            "status": status,
            "statuses": ExchangeStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def swap_new(request, coupon_public_id):
    listing = selectors.swap_target(coupon_public_id)
    if listing is None:
        raise Http404(_("This coupon is not on offer for a swap."))
    if listing.seller_id == request.user.pk:
        messages.info(request, _("This is your own coupon."))
        return redirect("marketplace:swaps")
    coupons = selectors.coupons_to_offer(request.user, wanted=listing.coupon)
    form = SwapForm(request.POST or None, coupons=coupons)
    if request.method == "POST" and form.is_valid():
        try:
            exchange = services.exchange_request(
                requester=request.user,
                wanted_public_id=listing.coupon.public_id,
                offered_public_id=form.cleaned_data["offered"].public_id,
                cash=form.cleaned_data["cash"] or 0,
                message=form.cleaned_data["message"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Swap offer sent. They have 48 hours to answer."))
            return redirect("marketplace:swap", exchange.public_id)
    return render(
        request,
        "marketplace/swaps/swap_new.html",
        {"listing": listing, "form": form, "has_coupons": coupons.exists()},
    )


@login_required
@require_safe
def swap_detail(request, public_id):
    exchange = selectors.exchange_for(request.user, public_id)
    if exchange is None:
        raise Http404(_("No such swap."))
    return render(
        request,
        "marketplace/swaps/swap_detail.html",
        {
            "exchange": exchange,
            "incoming": exchange.responder_id == request.user.pk,
            "pending": exchange.status == ExchangeStatus.PENDING,
            "received": selectors.received_coupon(request.user, exchange),
        },
    )


def _answer(request, public_id, action, done: str):
    exchange = selectors.exchange_for(request.user, public_id)
    if exchange is None:
        raise Http404(_("No such swap."))
    try:
        action(exchange)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(reverse("marketplace:swap", args=[public_id]))


@login_required
@require_POST
def swap_accept(request, public_id):
    return _answer(
        request,
        public_id,
        lambda e: services.exchange_accept(responder=request.user, public_id=e.public_id),
        _("Swap done: the new code is in your locker."),
    )


@login_required
@require_POST
def swap_reject(request, public_id):
    return _answer(
        request,
        public_id,
        lambda e: services.exchange_reject(responder=request.user, public_id=e.public_id),
        _("Swap declined."),
    )


@login_required
@require_POST
def swap_cancel(request, public_id):
    return _answer(
        request,
        public_id,
        lambda e: services.exchange_cancel(requester=request.user, public_id=e.public_id),
        _("Swap offer cancelled."),
    )
