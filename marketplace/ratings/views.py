"""The rating page of a purchase (`rate`): the form while the purchase can be rated, the
rating once given. Only the buyer and the seller see it; anyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coupzii.core.errors import DomainError

from ..purchases.selectors import purchase_for
from . import selectors, services
from .forms import RatingForm


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rate(request, number: str):
    purchase = purchase_for(request.user, number)
    if purchase is None:
        raise Http404(_("No such purchase of yours."))
    given = selectors.rating_by(request.user, purchase)
    allowed = given is None and services.rating_open(purchase)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            services.rating_give(rater=request.user, number=number, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("marketplace:rate", number)
    is_buyer = purchase.buyer_id == request.user.pk
    return render(
        request,
        "marketplace/ratings/rate.html",
        {
            "purchase": purchase,
            "other": purchase.seller if is_buyer else purchase.buyer,
            "is_buyer": is_buyer,
            "given": given,
            "allowed": allowed,
            "form": form,
        },
        status=409 if request.method == "POST" and not allowed else 200,
    )
