"""Dispute pages: the buyer's report form (`new/<number>/`), the dispute page for its buyer and
seller (note, screenshot, the seller's answer form, status and decision), and the screenshot.

Anyone else gets 404, as if the dispute did not exist. Views are thin: forms read, services
act (their refusals become form errors), selectors read; every POST answers with a redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from coupzii.core.errors import DomainError
from coupzii.core.files import private_file_response
from coupzii.core.http import post_form
from coupzii.core.pagination import paginate

from ..models import DisputeStatus
from . import selectors
from .forms import AnswerForm, DisputeForm
from .services import dispute_answer, dispute_open

PER_PAGE = 20


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def dispute_new(request, number: str):
    purchase = selectors.purchase_to_dispute(buyer=request.user, number=number)
    if purchase is None:
        raise Http404
    existing = selectors.dispute_of(purchase)
    if existing is not None:
        return redirect("marketplace:dispute", existing.public_id)
    posted = request.method == "POST"
    form = DisputeForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            dispute = dispute_open(
                buyer=request.user,
                number=number,
                note=form.cleaned_data["note"],
                screenshot=form.cleaned_data["screenshot"] or None,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _(
                    "Thanks, we've told the seller. The payout waits until this is settled; "
                    "you'll hear from us within 2 working days."
                ),
            )
            return redirect("marketplace:dispute", dispute.public_id)
    return render(
        request,
        "marketplace/disputes/new.html",
        {"purchase": purchase, "form": form, "open": selectors.may_dispute(purchase)},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def dispute_list(request):
    """My disputes: those I filed as a buyer and those filed on my sales, newest first."""
    page, page_range = paginate(
        request, selectors.disputes_of_party(user=request.user), per_page=PER_PAGE
    )
    return render(
        request,
        "marketplace/disputes/list.html",
        {"page": page, "page_range": page_range},
    )


@login_required
@require_safe
def dispute_detail(request, public_id):
    dispute = _party_dispute(request, public_id)
    return _page(request, dispute, AnswerForm())


@post_form(lambda request, public_id: reverse("marketplace:dispute", args=[public_id]))
@login_required
def dispute_answer_post(request, public_id):
    dispute = _party_dispute(request, public_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            dispute_answer(
                seller=request.user, public_id=public_id, answer=form.cleaned_data["answer"]
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Your answer has been sent to the buyer and to Coupzii."))
            return redirect("marketplace:dispute", public_id)
    return _page(request, dispute, form, status=400)


@require_safe
def dispute_screenshot(request, public_id):
    """The screenshot, for the dispute's buyer and seller and for operators (the admin links
    here); 404 for anyone else, signed out included."""
    dispute = selectors.dispute_screenshot(public_id)
    if dispute is None:
        raise Http404
    purchase = dispute.purchase
    party = request.user.is_authenticated and request.user.pk in (
        purchase.buyer_id,
        purchase.seller_id,
    )
    return private_file_response(
        user=request.user,
        file=dispute.screenshot,
        # Both parties own it; anyone else is checked as an operator with the permission.
        owner_id=request.user.pk if party else purchase.buyer_id,
        permission=selectors.SCREENSHOT_PERMISSION,
    )


def _party_dispute(request, public_id):
    dispute = selectors.dispute_for_party(user=request.user, public_id=public_id)
    if dispute is None:
        raise Http404
    return dispute


def _page(request, dispute, answer_form, *, status=200):
    purchase = dispute.purchase
    is_seller = request.user.pk == purchase.seller_id
    may_answer = (
        is_seller
        and dispute.answered_at is None
        and dispute.status in (DisputeStatus.OPEN, DisputeStatus.ANSWERED)
    )
    return render(
        request,
        "marketplace/disputes/detail.html",
        {
            "dispute": dispute,
            "purchase": purchase,
            "is_seller": is_seller,
            "may_answer": may_answer,
            "answer_form": answer_form,
            "no_answer": selectors.seller_did_not_answer(dispute),
            "decided": dispute.status in (DisputeStatus.REFUNDED, DisputeStatus.RELEASED),
        },
        status=status,
    )
