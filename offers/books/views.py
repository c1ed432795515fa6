"""Pages for unique codes: the shopper's "My codes" list and the claim button's POST."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from coupzii.core.errors import DomainError
from coupzii.core.http import client_ip

from .. import books, errors
from ..models import CodeStatus
from . import selectors as book_selectors

PAGE_SIZE = 20
USABLE_STATUSES = (CodeStatus.AVAILABLE, CodeStatus.ASSIGNED, CodeStatus.LOCKED)


def _safe_next(request) -> str:
    """Where the form asked to go back to (`next`, else the referring page), if it is ours."""
    for candidate in (request.POST.get("next", ""), request.headers.get("Referer", "")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return ""


@login_required
@require_safe
def my_codes(request):
    paginator = Paginator(book_selectors.codes_for_holder(request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "offers/my_codes.html",
        # Codes in these states can still be used: they get a copy button.
        {"page": page, "usable_statuses": list(USABLE_STATUSES)},
    )


@require_POST
def offer_claim(request, public_id):
    """Claim a code of the offer, then show it on My codes; a refusal goes back to the page
    the button was on, with the reason.

    Signed-out visitors are sent to sign in and then back to that page (not to this URL:
    after sign-in the browser would GET it).
    """
    back = _safe_next(request)
    if not request.user.is_authenticated:
        return redirect_to_login(back or reverse("my_codes"))
    try:
        offer = book_selectors.offer_for_claim(public_id)
    except errors.OfferNotFound as exc:
        raise Http404(exc.message) from exc
    try:
        code = books.code_claim(
            offer_or_book=offer,
            user=request.user,
            ip=client_ip(request) or None,
            # A token rendered into the form: a double-submitted form claims once.
            idempotency_key=request.POST.get("idempotency_key", "")[:80],
        )
    except errors.ClaimLimitReached as exc:
        # They already hold their codes of this offer: show them where those are.
        messages.info(request, exc.message)
        return redirect("my_codes")
    except DomainError as exc:
        # BookError refusals, and Busy when the same form is still being claimed.
        messages.error(request, exc.message)
        return redirect(back or reverse("my_codes"))
    messages.success(
        request,
        _("Your code for %(offer)s is %(code)s. It's saved here in My codes.")
        % {"offer": offer.title, "code": code.code},
    )
    return redirect("my_codes")
