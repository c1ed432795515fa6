"""Who may do what in a brand: the role's permissions, the department's view of offers, and
the one place every portal page and API route resolves "this brand, for this person".

A person who is not a member of a brand gets 404 for it and for everything in it (never 403:
a brand's existence and its objects are not disclosed). A member whose role lacks a
permission gets 403.
"""

from django.db.models import Q, QuerySet

from .models import Brand, DepartmentAccess, Membership, Role

# Permission names used by the portal and the API.
VIEW_DASHBOARD = "view_dashboard"
VIEW_OFFERS = "view_offers"
EDIT_OFFERS = "edit_offers"
PUBLISH_OFFERS = "publish_offers"
MANAGE_BOOKS = "manage_books"
UPLOAD = "upload"
USE_TILL = "use_till"
VIEW_ANALYTICS = "view_analytics"
EXPORT = "export"
MANAGE_TEAM = "manage_team"
MANAGE_KEYS = "manage_keys"
MANAGE_WEBHOOKS = "manage_webhooks"
MANAGE_BUDGETS = "manage_budgets"
MANAGE_BRAND = "manage_brand"

_STAFF = {VIEW_DASHBOARD, VIEW_OFFERS, VIEW_ANALYTICS, EXPORT}
_EDITING = _STAFF | {EDIT_OFFERS, PUBLISH_OFFERS, MANAGE_BOOKS, UPLOAD, USE_TILL}
_ADMIN = _EDITING | {MANAGE_TEAM, MANAGE_KEYS, MANAGE_WEBHOOKS, MANAGE_BUDGETS}

PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(_ADMIN | {MANAGE_BRAND}),
    Role.ADMIN: frozenset(_ADMIN),
    Role.EDITOR: frozenset(_EDITING),
    Role.ANALYST: frozenset(_STAFF),
    Role.TILL: frozenset({USE_TILL}),
}

# Roles that can change the brand's team, keys and money caps must sign in with a second factor.
TWO_FACTOR_ROLES = frozenset({Role.OWNER, Role.ADMIN})


def can(membership: Membership | None, permission: str) -> bool:
    return membership is not None and permission in PERMISSIONS.get(membership.role, ())


def needs_two_factor(membership: Membership) -> bool:
    return membership.role in TWO_FACTOR_ROLES


def memberships_of(user) -> QuerySet[Membership]:
    """The brands a person works for, for the switcher."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("brand", "department")
        .order_by("brand__name")
    )


def membership_for(user, brand_slug: str) -> Membership | None:
    """The person's membership of the brand with this slug, or None (the caller answers 404)."""
    if not getattr(user, "is_authenticated", False) or not brand_slug:
        return None
    return (
        Membership.objects.select_related("brand", "department")
        .filter(user=user, brand__slug=brand_slug)
        .first()
    )


def offers_visible_q(membership: Membership, prefix: str = "") -> Q:
    """A filter on BrandOffer (or, with `prefix`, a model reaching it) for the offers this
    member may see: owners and admins, and departments with access to every offer, see all
    of the brand's; a department limited to its own sees only those filed under it."""
    brand_filter = Q(**{f"{prefix}brand": membership.brand})
    if membership.role in (Role.OWNER, Role.ADMIN):
        return brand_filter
    department = membership.department
    if department is None or department.access == DepartmentAccess.ALL:
        return brand_filter
    return brand_filter & Q(**{f"{prefix}department": department})


def brand_of(membership: Membership) -> Brand:
    return membership.brand
