"""What the header needs on every page: the unread count for the bell, and sign-in options."""

from django.conf import settings


def account_menu(request) -> dict:
    user = getattr(request, "user", None)
    context = {"google_sign_in": bool(settings.GOOGLE_CLIENT_ID and settings.GOOGLE_CLIENT_SECRET)}
    if user is not None and user.is_authenticated:
        # One COUNT on an indexed (user, read_at) pair per page.
        context["unread_notifications"] = user.notifications.filter(read_at__isnull=True).count()
    return context
