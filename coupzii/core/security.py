"""Security headers on every response: the Content-Security-Policy and the Permissions-Policy.

The CSP itself is django-csp's, configured by CONTENT_SECURITY_POLICY in settings. Pages
load scripts and styles from our own origin only; an inline <script> or <style> carries the
request's nonce (`{{ request.csp_nonce }}`). Two places get more than that:

- the admin, whose own and django-import-export's templates still have a <style> element, style
  attributes and one inline handler: CSP_ADMIN_OVERRIDES there, for staff behind 2FA only;
- a page that embeds a third party (Razorpay Checkout) names it on its own response with
  `allow_on_response`, so no other page may load it.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.urls import NoReverseMatch, reverse


def allow_on_response(response, directives: dict[str, list[str]]) -> None:
    """Add sources to this one response's policy (django-csp's `csp_update`, for a view that
    decides at run time, such as the pay page only when Razorpay keys are set)."""
    merged = dict(getattr(response, "_csp_update", None) or {})
    for directive, sources in directives.items():
        merged[directive] = [*merged.get(directive, []), *sources]
    response._csp_update = merged


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's replacements applied under its prefix."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.replace is None and _is_admin(request):
            parts.replace = settings.CSP_ADMIN_OVERRIDES
        return parts


def _is_admin(request) -> bool:
    try:
        prefix = reverse("admin:index", urlconf=getattr(request, "urlconf", None))
    except NoReverseMatch:  # a URLconf without the admin
        return False
    return request.path_info.startswith(prefix)


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """`{"camera": [], "payment": ["self", "https://x"]}` -> `camera=(), payment=(self "https://x")`."""
    items = []
    for feature, allowed in policy.items():
        origins = " ".join(origin if origin == "self" else f'"{origin}"' for origin in allowed)
        items.append(f"{feature}=({origins})")
    return ", ".join(items)


class PermissionsPolicyMiddleware:
    """Sends PERMISSIONS_POLICY: browser features (camera, microphone, location ...) this site
    does not use are switched off for it and for anything it embeds."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
