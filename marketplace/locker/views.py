"""The locker's pages under /locker/: the list with its filters, adding a coupon by hand, one
coupon (its code shown to its owner only), changing it, marking it used and deleting it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coupzii.core.errors import DomainError
from coupzii.core.pagination import paginate

from ..errors import CouponNotFound
from . import selectors, services
from .forms import LockerCouponForm, LockerFilterForm, initial_of

PAGE_SIZE = 20


def _coupon(request, public_id):
    try:
        return selectors.coupon_of(request.user, public_id)
    except CouponNotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_safe
def locker(request):
    # Codes claimed from books and gift cards bought since the last visit join the locker.
    services.locker_import_held(user=request.user)
    filters = LockerFilterForm(
        request.GET,
        stores=selectors.locker_stores(request.user),
        categories=selectors.locker_categories(request.user),
    )
    chosen = filters.filters()
    coupons = selectors.locker_for(
        request.user,
        source=chosen["source"],
        status=chosen["status"],
        store=chosen["store"],
        category=chosen["category"],
    )
    page, page_range = paginate(request, coupons, per_page=PAGE_SIZE)
    counts = selectors.locker_counts(request.user)
    return render(
        request,
        "marketplace/locker/locker.html",
        {
            "page": page,
            "page_range": page_range,
            "filters": filters,
            "chosen": chosen,
            "filtered": any(chosen.values()),
            "status_chips": _status_chips(counts, chosen["status"]),
            "held": sum(counts[status] for status in selectors.STATUS_FILTERS),
        },
    )


def _status_chips(counts: dict[str, int], chosen: str) -> list[dict]:
    """The status links above the list: "In my locker" (the default: not sold or swapped
    away) and each status, with counts."""
    chips = [{"value": "", "label": _("In my locker"), "count": counts["all"], "on": not chosen}]
    for status in selectors.STATUS_FILTERS:
        chips.append(
            {
                "value": status.value,
                "label": status.label,
                "count": counts[status],
                "on": chosen == status,
            }
        )
    return chips


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def coupon_add(request):
    form = LockerCouponForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            coupon = services.locker_coupon_add(
                owner=request.user, source="manual", **form.service_values()
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The coupon is in your locker."))
            return redirect("marketplace:locker-coupon", public_id=coupon.public_id)
    return render(
        request,
        "marketplace/locker/coupon_form.html",
        {"form": form, "coupon": None, "store_names": selectors.merchant_names()},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def coupon_detail(request, public_id):
    coupon = _coupon(request, public_id)
    return render(request, "marketplace/locker/coupon_detail.html", {"coupon": coupon})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def coupon_edit(request, public_id):
    coupon = _coupon(request, public_id)
    form = LockerCouponForm(request.POST or None, initial=initial_of(coupon))
    if request.method == "POST" and form.is_valid():
        try:
            services.locker_coupon_update(coupon=coupon, changes=form.service_changes())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("marketplace:locker-coupon", public_id=coupon.public_id)
    return render(
        request,
        "marketplace/locker/coupon_form.html",
        {"form": form, "coupon": coupon, "store_names": selectors.merchant_names()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def coupon_used(request, public_id):
    coupon = _coupon(request, public_id)
    try:
        services.locker_coupon_mark_used(coupon=coupon)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked as used."))
    return redirect("marketplace:locker-coupon", public_id=coupon.public_id)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def coupon_delete(request, public_id):
    """GET asks "Delete this coupon?" (a page, so it works without JavaScript); POST deletes."""
    coupon = _coupon(request, public_id)
    if request.method != "POST":
        return render(request, "marketplace/locker/coupon_delete.html", {"coupon": coupon})
    try:
        services.locker_coupon_delete(coupon=coupon)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("marketplace:locker-coupon", public_id=coupon.public_id)
    messages.success(request, _("The coupon is out of your locker."))
    return redirect("marketplace:locker")
