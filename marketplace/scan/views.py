"""Screenshot pages: upload one, watch it being read (the page refreshes itself, no script
needed), then correct what was found and save it into the locker. The screenshot itself is
shown only to its owner."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from coupzii.core.errors import DomainError
from coupzii.core.files import private_file_response

from ..errors import ScanNotFound
from ..locker import selectors as locker_selectors
from ..models import ScanStatus
from . import selectors, services
from .forms import ScanReviewForm, ScanUploadForm, confidences, review_initial

# Seconds between refreshes of the page while the screenshot is being read.
REFRESH_SECONDS = 2


def _scan(request, public_id):
    try:
        return selectors.scan_of(request.user, public_id)
    except ScanNotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scan_new(request):
    form = ScanUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            scan = services.scan_start(owner=request.user, image=form.cleaned_data["image"])
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return redirect("marketplace:scan", public_id=scan.public_id)
    return render(
        request,
        "marketplace/scan/new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scan_detail(request, public_id):
    scan = _scan(request, public_id)
    if scan.coupon_id and request.method == "GET":
        return redirect("marketplace:locker-coupon", public_id=scan.coupon.public_id)
    reading = scan.status in (ScanStatus.QUEUED, ScanStatus.RUNNING)
    form = None
    if scan.status == ScanStatus.DONE or (scan.status == ScanStatus.FAILED and scan.fields):
        form = ScanReviewForm(request.POST or None, initial=review_initial(scan.fields))
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This screenshot is still being read."))
            return redirect("marketplace:scan", public_id=scan.public_id)
        if form.is_valid():
            try:
                coupon = services.scan_save(
                    owner=request.user, public_id=scan.public_id, **form.service_values()
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("The coupon is in your locker."))
                return redirect("marketplace:locker-coupon", public_id=coupon.public_id)
    return render(
        request,
        "marketplace/scan/detail.html",
        {
            "scan": scan,
            "reading": reading,
            "refresh_seconds": REFRESH_SECONDS,
            "form": form,
            "confidence": confidences(scan.fields),
            "store_names": locker_selectors.merchant_names() if form else [],
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_safe
def scan_image(request, public_id):
    """The screenshot, to its owner only (an operator with 2FA through the admin's rule)."""
    scan = _scan(request, public_id)
    return private_file_response(
        user=request.user,
        file=scan.image,
        owner_id=scan.owner_id,
        permission="marketplace.view_scan",
    )
