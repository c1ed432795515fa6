"""The notifications page: the signed-in user's list, and POST actions to mark them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from coupzii.core.errors import NotFound

from . import selectors, services

PAGE_SIZE = 20


def _back_to_list(request):
    """The list again, on the page the form was posted from (?page=N, digits only)."""
    url = reverse("notifications")
    page = request.GET.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() and page != "1" else url)


@login_required
@require_safe
def notification_list(request):
    paginator = Paginator(selectors.notifications_for(request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_mark_read(request, public_id):
    try:
        services.notification_mark_read(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return _back_to_list(request)


@login_required
@require_POST
def notifications_mark_all_read(request):
    marked = services.notifications_mark_all_read(user=request.user)
    if marked:
        messages.success(request, _("All notifications are marked as read."))
    return _back_to_list(request)
