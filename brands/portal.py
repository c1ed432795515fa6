"""The gate every brand page and brand API route passes: which brand, whether this person
works for it, whether their role allows the action, and their second factor."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, permissions

from accounts.services import two_factor_enabled

from . import access
from .models import Membership

BRAND_HEADER = "X-Brand"
BRAND_QUERY = "brand"

brand_header_parameter = OpenApiParameter(
    name=BRAND_HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "The slug of the brand to act on. Optional when the signed-in person belongs to one "
        "brand only; the `brand` query parameter works too."
    ),
)


def _second_factor_redirect(request, membership: Membership):
    """Owners and admins must have passed a second factor in this session."""
    if not access.needs_two_factor(membership) or request.user.is_verified():
        return None
    target = "two_factor_verify" if two_factor_enabled(request.user) else "two_factor_setup"
    return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def brand_page(permission: str):
    """Decorate a portal view taking `brand_slug`: 404 unless the signed-in person is a member
    of that brand, a second factor for owners and admins, 403 without `permission`. The view
    is called without `brand_slug`, with `request.brand` and `request.membership` set."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, brand_slug: str, *args, **kwargs):
            membership = access.membership_for(request.user, brand_slug)
            if membership is None:
                raise Http404(_("No such brand."))
            second_factor = _second_factor_redirect(request, membership)
            if second_factor is not None:
                return second_factor
            if not access.can(membership, permission):
                raise PermissionDenied(_("Your role in this brand does not allow this."))
            request.brand = membership.brand
            request.membership = membership
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- The API -----------------------------------------------------------------------------------


class BrandRequired(exceptions.ValidationError):
    default_code = "brand_required"


def api_membership(request) -> Membership:
    """The caller's membership of the brand the request names (header, query parameter, or
    the only brand they belong to). 404 for a brand they do not belong to."""
    slug = request.headers.get(BRAND_HEADER) or request.query_params.get(BRAND_QUERY) or ""
    if slug:
        membership = access.membership_for(request.user, slug.strip())
        if membership is None:
            raise exceptions.NotFound(_("No such brand."))
        return membership
    memberships = list(access.memberships_of(request.user)[:2])
    if len(memberships) == 1:
        return memberships[0]
    if not memberships:
        raise exceptions.NotFound(_("You are not a member of any brand."))
    raise BrandRequired(
        {BRAND_HEADER: [_("You belong to several brands: name one in the X-Brand header.")]}
    )


class BrandPermission(permissions.BasePermission):
    """DRF permission: a view sets `brand_permission`; the resolved membership is left on
    `request.membership` and the brand on `request.brand`.

    Owners and admins need two-factor sign-in switched on (the API's sign-in then asks for
    the code), so a stolen password alone cannot act for a brand."""

    message = _("Your role in this brand does not allow this.")

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        membership = api_membership(request)
        if access.needs_two_factor(membership) and not two_factor_enabled(request.user):
            raise exceptions.PermissionDenied(
                _("Owners and admins must switch on two-factor sign-in first.")
            )
        request.membership = membership
        request.brand = membership.brand
        return access.can(membership, view.brand_permission)


# --- The portal's navigation -------------------------------------------------------------------

# (url name in the "brands" namespace, label, permission): the areas a member sees, in order.
NAV = [
    ("dashboard", _("Dashboard"), access.VIEW_DASHBOARD),
    ("coupon_list", _("Coupons"), access.VIEW_OFFERS),
    ("book_list", _("Code books"), access.MANAGE_BOOKS),
    ("upload", _("Bulk upload"), access.UPLOAD),
    ("till", _("Till"), access.USE_TILL),
    ("analytics", _("Analytics"), access.VIEW_ANALYTICS),
    ("budget_list", _("Budgets"), access.MANAGE_BUDGETS),
    ("team", _("Team"), access.MANAGE_TEAM),
    ("key_list", _("API keys"), access.MANAGE_KEYS),
    ("webhook_list", _("Webhooks"), access.MANAGE_WEBHOOKS),
]


def nav_for(request) -> list[dict]:
    """The portal menu for the member on this request: only what their role may open."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    current = request.resolver_match.url_name if request.resolver_match else ""
    items = []
    for name, label, permission in NAV:
        if not access.can(membership, permission):
            continue
        try:
            url = reverse(f"brands:{name}", args=[membership.brand.slug])
        except NoReverseMatch:
            # An area whose pages are not installed in this build is left out of the menu.
            continue
        items.append({"url": url, "label": label, "active": name == current})
    return items


def portal_context(request) -> dict:
    """Context processor: the brand portal's menu and the brand switcher, on portal pages only."""
    if getattr(request, "membership", None) is None:
        return {}
    return {
        "brand": request.brand,
        "membership": request.membership,
        "brand_nav": nav_for(request),
        "brand_can": access.PERMISSIONS.get(request.membership.role, frozenset()),
        "brand_memberships": access.memberships_of(request.user),
    }
