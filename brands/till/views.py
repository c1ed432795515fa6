"""The till's pages: the till itself, API keys and budgets. Thin: forms -> services."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands import access
from brands.portal import brand_page
from brands.tiers import limits_for
from coupzii.core.errors import DomainError
from coupzii.core.http import client_ip
from coupzii.core.pagination import paginate
from coupzii.core.security import permissions_policy_header

from . import budgets, selectors, services
from .forms import (
    ApiKeyForm,
    BudgetCapsForm,
    BudgetForm,
    RollbackForm,
    TillForm,
    new_idempotency_key,
)

# The till page may use the camera to scan codes (the rest of the site may not).
TILL_PERMISSIONS_POLICY = permissions_policy_header(
    {**settings.PERMISSIONS_POLICY, "camera": ["self"]}
)


# --- The till --------------------------------------------------------------------------------


@brand_page(access.USE_TILL)
def till(request):
    scope = services.TillScope.for_member(membership=request.membership)
    outcome = {}
    if request.method == "POST":
        form = TillForm(request.POST)
        if form.is_valid():
            outcome = _till_action(request, scope, form.cleaned_data)
            if outcome.get("redeemed"):
                # A fresh form and key: the next customer's redemption is a new one.
                form = _blank_till_form()
    else:
        form = _blank_till_form()
    page, page_range = paginate(request, selectors.till_recent_redemptions(scope), per_page=10)
    response = render(
        request,
        "brands/till/till.html",
        {"form": form, "page": page, "page_range": page_range, **outcome},
    )
    response["Permissions-Policy"] = TILL_PERMISSIONS_POLICY
    return response


def _blank_till_form() -> TillForm:
    return TillForm(initial={"idempotency_key": new_idempotency_key()})


def _till_action(request, scope, data) -> dict:
    """Run the pressed button's action; what the page shows of it (a result or a refusal)."""
    common = {
        "scope": scope,
        "code": data["code"],
        "book": data.get("book"),
        "ip": client_ip(request) or None,
    }
    action = data["action"]
    try:
        if action == TillForm.CHECK:
            result = services.till_validate(
                **common,
                order_amount=data["order_amount"],
                products=data["products"],
                order_reference=data["order_reference"],
            )
            return {"result": result, "result_action": action}
        if action == TillForm.LOCK:
            result = services.till_lock(
                **common,
                order_reference=data["order_reference"],
                order_amount=data["order_amount"],
                products=data["products"],
            )
            return {"result": result, "result_action": action}
        if action == TillForm.UNLOCK:
            result = services.till_unlock(**common, order_reference=data["order_reference"])
            return {"result": result, "result_action": action}
        result = services.till_redeem(
            **common,
            idempotency_key=data["idempotency_key"],
            order_reference=data["order_reference"],
            order_amount=data["order_amount"],
            products=data["products"],
        )
        return {"result": result, "result_action": action, "redeemed": True}
    except DomainError as error:
        return {
            "refusal": error.message,
            "refusal_code": error.code,
            "choose_books": error.extra.get("books", []),
        }


@require_POST
@brand_page(access.USE_TILL)
def till_rollback(request):
    scope = services.TillScope.for_member(membership=request.membership)
    form = RollbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a redemption to roll back."))
        return redirect("brands:till", request.brand.slug)
    try:
        audit = services.till_rollback(
            scope=scope,
            idempotency_key=form.cleaned_data["idempotency_key"],
            book=form.cleaned_data["book"],
            ip=client_ip(request) or None,
            reason=_("rolled back on the till page"),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Rolled back: code %(code)s can be used again.") % {"code": audit.code.code},
        )
    return redirect("brands:till", request.brand.slug)


# --- API keys --------------------------------------------------------------------------------


@brand_page(access.MANAGE_KEYS)
def key_list(request):
    brand = request.brand
    form = ApiKeyForm(request.POST or None, brand=brand)
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["scope"]
        try:
            key, raw = services.api_key_create(
                brand=brand,
                name=form.cleaned_data["name"],
                created_by=request.user,
                book=scope["book"],
                merchant=scope["merchant"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            response = render(request, "brands/till/key_created.html", {"key": key, "raw_key": raw})
            # The key is on this page only: no cache may keep it.
            response["Cache-Control"] = "no-store"
            return response
    page, page_range = paginate(request, selectors.api_keys_for_brand(brand))
    live = selectors.api_key_live_count(brand)
    return render(
        request,
        "brands/till/key_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page_range,
            "live": live,
            "limit": limits_for(brand).api_keys,
        },
    )


@brand_page(access.MANAGE_KEYS)
def key_revoke(request, public_id):
    key = selectors.api_keys_for_brand(request.brand).filter(public_id=public_id).first()
    if key is None:
        raise Http404(_("No such API key."))
    if request.method == "POST":
        services.api_key_revoke(brand=request.brand, public_id=public_id, revoked_by=request.user)
        messages.success(
            request, _("Key “%(name)s” revoked: it no longer works.") % {"name": key.name}
        )
        return redirect("brands:key_list", request.brand.slug)
    return render(request, "brands/till/key_revoke.html", {"key": key})


# --- Budgets ---------------------------------------------------------------------------------


@brand_page(access.MANAGE_BUDGETS)
def budget_list(request):
    brand = request.brand
    form = BudgetForm(request.POST or None, brand=brand)
    if request.method == "POST" and form.is_valid():
        try:
            budgets.budget_create(
                brand=brand,
                **form.cleaned_data["target"],
                max_redemptions=form.cleaned_data["max_redemptions"],
                max_discount=form.cleaned_data["max_discount"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Budget set."))
            return redirect("brands:budget_list", brand.slug)
    page, page_range = paginate(request, selectors.budgets_for_brand(brand))
    rows = [_budget_row(budget) for budget in page]
    return render(
        request,
        "brands/till/budget_list.html",
        {"form": form, "page": page, "page_range": page_range, "rows": rows},
    )


def _budget_row(budget) -> dict:
    percent = budgets.used_percent(
        budget.redemptions_used, budget.max_redemptions, budget.discount_used, budget.max_discount
    )
    return {
        "budget": budget,
        "target": budgets.budget_target_name(budget),
        "percent": min(percent, 100),
        "redemptions_left": (
            None
            if budget.max_redemptions is None
            else budget.max_redemptions - budget.redemptions_used
        ),
        "discount_left": (
            None if budget.max_discount is None else budget.max_discount - budget.discount_used
        ),
    }


@brand_page(access.MANAGE_BUDGETS)
def budget_edit(request, public_id):
    try:
        budget = budgets.budget_get(brand=request.brand, public_id=public_id)
    except DomainError:
        raise Http404(_("No such budget.")) from None
    initial = {"max_redemptions": budget.max_redemptions, "max_discount": budget.max_discount}
    form = BudgetCapsForm(request.POST or None, initial=initial)
    if request.method == "POST" and "delete" in request.POST:
        budgets.budget_delete(budget=budget)
        messages.success(request, _("Budget removed."))
        return redirect("brands:budget_list", request.brand.slug)
    if request.method == "POST" and form.is_valid():
        try:
            budgets.budget_update(budget=budget, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Budget changed."))
            return redirect("brands:budget_list", request.brand.slug)
    return render(
        request,
        "brands/till/budget_edit.html",
        {"form": form, "row": _budget_row(budget)},
    )
