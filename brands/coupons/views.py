"""The portal's coupon pages: the list, create, edit, one offer with its history and its
status buttons, the brand's products, and bulk upload with its preview and progress."""

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coupzii.core.errors import DomainError
from coupzii.core.pagination import paginate

from .. import access
from ..models import JobStatus
from ..portal import brand_page
from . import selectors, services, uploads
from .forms import (
    CouponFilterForm,
    CouponForm,
    ProductForm,
    UploadForm,
    coupon_initial,
)

PER_PAGE = 20
REPORT_ROWS_PER_PAGE = 50


def _url(request, name: str, *args) -> str:
    return reverse(f"brands:{name}", args=[request.brand.slug, *args])


def _coupon_or_404(request, public_id):
    brand_offer = selectors.coupon_get(membership=request.membership, public_id=public_id)
    if brand_offer is None:
        raise Http404(_("No such coupon."))
    return brand_offer


# --- Offers --------------------------------------------------------------------------------


@require_GET
@brand_page(access.VIEW_OFFERS)
def coupon_list(request):
    filters = CouponFilterForm(request.GET or None, brand=request.brand)
    coupons = selectors.coupons_filtered(membership=request.membership, **filters.filters())
    page, page_range = paginate(request, coupons, per_page=PER_PAGE)
    return render(
        request,
        "brands/coupons/coupon_list.html",
        {
            "filters": filters,
            "filtered": any(filters.filters().values()) if filters.is_bound else False,
            "page": page,
            "page_range": page_range,
            "status_labels": selectors.COUPON_STATUS_LABELS,
            "can_edit": access.can(request.membership, access.EDIT_OFFERS),
        },
    )


@require_http_methods(["GET", "POST"])
@brand_page(access.EDIT_OFFERS)
def coupon_create(request):
    if not selectors.stores_of(brand=request.brand).exists():
        return render(request, "brands/coupons/no_store.html")
    form = CouponForm(
        request.POST or None,
        request.FILES or None,
        membership=request.membership,
        initial={"starts_at": _local_input(timezone.now()), "uses_per_shopper": 1},
    )
    if request.method == "POST" and form.is_valid():
        try:
            brand_offer = services.coupon_create(
                brand=request.brand, actor=request.user, **form.service_values()
            )
        except services.CouponInvalid as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Draft saved. Publish it when it is ready."))
            return redirect(_url(request, "coupon_detail", brand_offer.offer.public_id))
    return render(request, "brands/coupons/coupon_form.html", {"form": form, "brand_offer": None})


@require_http_methods(["GET", "POST"])
@brand_page(access.EDIT_OFFERS)
def coupon_edit(request, public_id):
    brand_offer = _coupon_or_404(request, public_id)
    form = CouponForm(
        request.POST or None,
        request.FILES or None,
        membership=request.membership,
        initial=_edit_initial(brand_offer),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.coupon_update(
                brand_offer=brand_offer, actor=request.user, changes=form.service_values()
            )
        except services.CouponInvalid as exc:
            form.add_domain_error(exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(_url(request, "coupon_detail", public_id))
        else:
            if changed:
                messages.success(request, _("Changes saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect(_url(request, "coupon_detail", public_id))
    return render(
        request, "brands/coupons/coupon_form.html", {"form": form, "brand_offer": brand_offer}
    )


def _edit_initial(brand_offer) -> dict:
    initial = coupon_initial(brand_offer)
    for field in ("starts_at", "ends_at"):
        initial[field] = _local_input(initial[field])
    return initial


def _local_input(moment) -> str:
    """A datetime-local input's value, in the site's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""


@require_GET
@brand_page(access.VIEW_OFFERS)
def coupon_detail(request, public_id):
    brand_offer = _coupon_or_404(request, public_id)
    history, history_range = paginate(
        request, selectors.coupon_history(brand_offer=brand_offer), per_page=PER_PAGE
    )
    membership = request.membership
    return render(
        request,
        "brands/coupons/coupon_detail.html",
        {
            "brand_offer": brand_offer,
            "offer": brand_offer.offer,
            "status_label": selectors.COUPON_STATUS_LABELS.get(brand_offer.offer.status),
            "page": history,
            "page_range": history_range,
            "field_labels": selectors.FIELD_LABELS,
            "can_edit": access.can(membership, access.EDIT_OFFERS),
            "can_publish": access.can(membership, access.PUBLISH_OFFERS),
        },
    )


# Each status button: (service, permission, message on success).
_STATUS_ACTIONS = {
    "publish": (
        services.coupon_publish,
        access.PUBLISH_OFFERS,
        gettext_lazy("Published: shoppers see it now."),
    ),
    "pause": (
        services.coupon_pause,
        access.EDIT_OFFERS,
        gettext_lazy("Paused: hidden from shoppers."),
    ),
    "resume": (services.coupon_resume, access.PUBLISH_OFFERS, gettext_lazy("Live again.")),
    "end": (
        services.coupon_end,
        access.EDIT_OFFERS,
        gettext_lazy("Ended: shoppers no longer see it."),
    ),
}


def _status_view(action: str):
    service, permission, _message = _STATUS_ACTIONS[action]

    @require_POST
    @brand_page(permission)
    def view(request, public_id):
        brand_offer = _coupon_or_404(request, public_id)
        try:
            service(brand_offer=brand_offer, actor=request.user)
        except DomainError as exc:
            text = exc.message
            if exc.fields:
                text = " ".join(
                    message for field_messages in exc.fields.values() for message in field_messages
                )
            messages.error(request, text)
        else:
            messages.success(request, _STATUS_ACTIONS[action][2])
        return redirect(_url(request, "coupon_detail", public_id))

    view.__name__ = f"coupon_{action}"
    return view


coupon_publish = _status_view("publish")
coupon_pause = _status_view("pause")
coupon_resume = _status_view("resume")
coupon_end = _status_view("end")


# --- Products ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@brand_page(access.EDIT_OFFERS)
def product_list(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_create(brand=request.brand, **form.cleaned_data)
        except services.CouponInvalid as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Product added."))
            return redirect(_url(request, "product_list"))
    page, page_range = paginate(
        request, selectors.products_of(brand=request.brand), per_page=PER_PAGE
    )
    return render(
        request,
        "brands/coupons/product_list.html",
        {"form": form, "page": page, "page_range": page_range},
    )


@require_http_methods(["GET", "POST"])
@brand_page(access.EDIT_OFFERS)
def product_edit(request, public_id):
    product = selectors.product_get(brand=request.brand, public_id=public_id)
    if product is None:
        raise Http404(_("No such product."))
    initial = {
        "sku": product.sku,
        "name": product.name,
        "category": product.category_id,
        "price": product.price,
    }
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, changes=form.cleaned_data)
        except services.CouponInvalid as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Product saved."))
            return redirect(_url(request, "product_list"))
    return render(request, "brands/coupons/product_form.html", {"form": form, "product": product})


# --- Bulk upload ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@brand_page(access.UPLOAD)
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            job = uploads.upload_start(
                membership=request.membership,
                actor=request.user,
                name=upload_file.name,
                content=upload_file.read(),
            )
        except uploads.UploadRefused as exc:
            form.add_error("file", exc.message)
        else:
            return redirect(_url(request, "upload_job", job.public_id))
    return render(
        request,
        "brands/coupons/upload.html",
        {
            "form": form,
            "jobs": selectors.upload_jobs_recent(brand=request.brand),
            "columns": uploads.COLUMNS,
            "max_rows": uploads.MAX_UPLOAD_ROWS,
            "background_rows": uploads.BACKGROUND_ROWS,
        },
    )


@require_GET
@brand_page(access.UPLOAD)
def upload_template(request):
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if file_format == "xlsx"
        else "text/csv; charset=utf-8"
    )
    response = HttpResponse(uploads.upload_template(file_format=file_format), content_type)
    response["Content-Disposition"] = f'attachment; filename="coupzii-coupons.{file_format}"'
    return response


def _job_or_404(request, public_id):
    job = selectors.upload_job_get(brand=request.brand, public_id=public_id)
    if job is None:
        raise Http404(_("No such upload."))
    return job


@require_GET
@brand_page(access.UPLOAD)
def upload_job(request, public_id):
    job = _job_or_404(request, public_id)
    rows = job.report.get("rows", []) if job.report else []
    if request.GET.get("show") == "refused":
        rows = [row for row in rows if not row["accepted"]]
    page, page_range = paginate(request, rows, per_page=REPORT_ROWS_PER_PAGE)
    return render(
        request,
        "brands/coupons/upload_job.html",
        {"job": job, "page": page, "page_range": page_range, **_job_state(job)},
    )


def _job_state(job) -> dict:
    finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
    stage = job.params.get("stage")
    report = job.report or {}
    processed = uploads.upload_progress(job)
    return {
        "finished": finished,
        "stage": stage,
        "processed": processed,
        "percent": min(100, processed * 100 // job.total) if job.total else 100,
        "can_confirm": stage == uploads.CHECK
        and job.status == JobStatus.DONE
        and not report.get("refused")
        and not report.get("errors"),
        "written": report.get("written", 0),
    }


@require_GET
@brand_page(access.UPLOAD)
def upload_job_progress(request, public_id):
    """What the page polls: JSON for scripts, or the progress fragment for htmx."""
    job = _job_or_404(request, public_id)
    state = _job_state(job)
    if request.headers.get("HX-Request"):
        response = render(request, "brands/coupons/_upload_progress.html", {"job": job, **state})
        if state["finished"]:
            # The report is on the full page: have htmx load it.
            response["HX-Refresh"] = "true"
        return response
    return JsonResponse(
        {
            "job": str(job.public_id),
            "stage": state["stage"],
            "status": job.status,
            "total": job.total,
            "processed": state["processed"],
            "percent": state["percent"],
            "finished": state["finished"],
        }
    )


@require_POST
@brand_page(access.UPLOAD)
def upload_job_confirm(request, public_id):
    job = _job_or_404(request, public_id)
    try:
        job = uploads.upload_confirm(job=job, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if job.status == JobStatus.DONE:
            messages.success(
                request,
                _("%(count)s offers saved as drafts.") % {"count": job.report.get("written", 0)},
            )
    return redirect(_url(request, "upload_job", job.public_id))
