"""The Webhooks pages: endpoints (add, change, rotate the secret, switch off and on, delete)
and each endpoint's delivery log (send again, send a test event). Thin: forms -> services."""

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from brands import access
from brands.portal import brand_page
from brands.tiers import limits_for
from coupzii.core.errors import DomainError
from coupzii.core.http import post_form
from coupzii.core.pagination import paginate

from . import selectors, services
from .events import EVENT_CHOICES
from .forms import DeliveryFilterForm, WebhookForm
from .receiver import RECEIVER_SAMPLE

LOG_PAGE_SIZE = 25


def _list_url(request, *args, **kwargs) -> str:
    return reverse("brands:webhook_list", args=[kwargs["brand_slug"]])


def _detail_url(request, *args, **kwargs) -> str:
    return reverse("brands:webhook_detail", args=[kwargs["brand_slug"], kwargs["public_id"]])


def _webhook_or_404(request, public_id):
    webhook = selectors.webhook_for_brand(request.brand, public_id)
    if webhook is None:
        raise Http404(_("No such webhook."))
    return webhook


def _form_errors(form, error: DomainError) -> None:
    if error.fields:
        for field, field_messages in error.fields.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, error.message)


def _secret_page(request, webhook, secret: str, *, rotated: bool):
    response = render(
        request,
        "brands/webhooks/secret.html",
        {"webhook": webhook, "secret": secret, "rotated": rotated},
    )
    # The secret is on this page only: no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


@brand_page(access.MANAGE_WEBHOOKS)
def webhook_list(request):
    brand = request.brand
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook, secret = services.webhook_create(
                brand=brand,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                created_by=request.user,
            )
        except DomainError as error:
            _form_errors(form, error)
        else:
            return _secret_page(request, webhook, secret, rotated=False)
    page, page_range = paginate(request, selectors.webhooks_for_brand(brand), per_page=10)
    for webhook in page.object_list:
        webhook.disabled_reason_label = _disabled_reason(webhook)
    count = selectors.webhook_count(brand)
    return render(
        request,
        "brands/webhooks/webhook_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page_range,
            "count": count,
            "limit": limits_for(brand).webhooks,
            "event_labels": dict(EVENT_CHOICES),
            "receiver_sample": RECEIVER_SAMPLE,
        },
    )


@brand_page(access.MANAGE_WEBHOOKS)
def webhook_detail(request, public_id):
    webhook = _webhook_or_404(request, public_id)
    filter_form = DeliveryFilterForm(request.GET or None)
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    deliveries = selectors.deliveries_for_webhook(webhook, status=status)
    page, page_range = paginate(request, deliveries, per_page=LOG_PAGE_SIZE)
    for delivery in page.object_list:
        _for_the_log(delivery)
    return render(
        request,
        "brands/webhooks/webhook_detail.html",
        {
            "webhook": webhook,
            "filter_form": filter_form,
            "page": page,
            "page_range": page_range,
            "event_labels": dict(EVENT_CHOICES),
            "disabled_reason": _disabled_reason(webhook),
        },
    )


def _for_the_log(delivery) -> None:
    """What the log shows of a delivery: its attempts with real times, its body indented."""
    delivery.attempts_shown = [
        {**attempt, "at": parse_datetime(attempt.get("at") or "")}
        for attempt in delivery.attempt_log
    ]
    delivery.payload_json = json.dumps(delivery.payload, indent=2, ensure_ascii=False)


def _disabled_reason(webhook) -> str:
    if webhook.active or not webhook.disabled_reason:
        return ""
    try:
        return services.DisabledReason(webhook.disabled_reason).label
    except ValueError:
        return webhook.disabled_reason


@brand_page(access.MANAGE_WEBHOOKS)
def webhook_edit(request, public_id):
    webhook = _webhook_or_404(request, public_id)
    initial = {"url": webhook.url, "events": webhook.events}
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_update(
                webhook=webhook, url=form.cleaned_data["url"], events=form.cleaned_data["events"]
            )
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("brands:webhook_detail", request.brand.slug, webhook.public_id)
    return render(request, "brands/webhooks/webhook_edit.html", {"webhook": webhook, "form": form})


@post_form(_detail_url)
@brand_page(access.MANAGE_WEBHOOKS)
def webhook_rotate(request, public_id):
    webhook = _webhook_or_404(request, public_id)
    webhook, secret = services.webhook_secret_rotate(webhook=webhook)
    return _secret_page(request, webhook, secret, rotated=True)


@post_form(_detail_url)
@brand_page(access.MANAGE_WEBHOOKS)
def webhook_disable(request, public_id):
    webhook = _webhook_or_404(request, public_id)
    services.webhook_disable(webhook=webhook)
    messages.success(
        request, _("Switched off: no events are sent to %(url)s.") % {"url": webhook.url}
    )
    return redirect("brands:webhook_detail", request.brand.slug, webhook.public_id)


@post_form(_detail_url)
@brand_page(access.MANAGE_WEBHOOKS)
def webhook_enable(request, public_id):
    webhook = _webhook_or_404(request, public_id)
    services.webhook_enable(webhook=webhook)
    messages.success(
        request, _("Switched on: new events are sent to %(url)s.") % {"url": webhook.url}
    )
    return redirect("brands:webhook_detail", request.brand.slug, webhook.public_id)


@brand_page(access.MANAGE_WEBHOOKS)
def webhook_delete(request, public_id):
    webhook = _webhook_or_404(request, public_id)
    if request.method == "POST":
        services.webhook_delete(webhook=webhook)
        messages.success(request, _("Endpoint %(url)s deleted.") % {"url": webhook.url})
        return redirect("brands:webhook_list", request.brand.slug)
    return render(request, "brands/webhooks/webhook_delete.html", {"webhook": webhook})


@post_form(_detail_url)
@brand_page(access.MANAGE_WEBHOOKS)
def webhook_ping(request, public_id):
    webhook = _webhook_or_404(request, public_id)
    try:
        services.webhook_ping(webhook=webhook)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Test event queued: reload in a few seconds to see how it went.")
        )
    return redirect("brands:webhook_detail", request.brand.slug, webhook.public_id)


@post_form(_list_url)
@brand_page(access.MANAGE_WEBHOOKS)
def delivery_redeliver(request, public_id):
    delivery = selectors.delivery_for_brand(request.brand, public_id)
    if delivery is None:
        raise Http404(_("No such delivery."))
    try:
        services.delivery_redeliver(delivery=delivery)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sending again: reload in a few seconds to see how it went."))
    return redirect("brands:webhook_detail", request.brand.slug, delivery.webhook.public_id)
