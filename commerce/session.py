"""The shop's part of the browser session, for pages and the session-authenticated API: which
visitor cart the session holds, and the cart badge's count. Not a service: the cart services
take the cart's owner (a user, or a visitor's token) as plain arguments, and only the code
here reads or writes `request.session`."""

from django.http import HttpRequest

from accounts.models import User

from .models import Cart
from .services import cart as cart_services

# The visitor's cart, by its token.
SESSION_KEY = "commerce_cart_token"
# The header's cart badge reads this, so pages don't query the cart just to draw it.
COUNT_KEY = "commerce_cart_count"


def cart_of_request(request: HttpRequest, *, create: bool = True) -> Cart | None:
    """The signed-in user's cart, or the visitor's (made on first use when `create`, its
    token then kept in the session)."""
    if request.user.is_authenticated:
        return cart_services.cart_of_user(request.user, create=create)
    token = request.session.get(SESSION_KEY)
    cart = cart_services.cart_of_visitor(token, create=create)
    if cart is not None and str(cart.token) != token:
        request.session[SESSION_KEY] = str(cart.token)
    return cart


def cart_count_remember(request: HttpRequest, cart: Cart | None) -> int:
    """Store the cart's item count in the session for the header badge; returns it."""
    count = cart_services.cart_item_count(cart)
    request.session[COUNT_KEY] = count
    return count


def cart_merge_on_login(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """Django's user_logged_in receiver, a thin adapter: login() is the one place that knows
    both the signed-out session and the user. It takes the visitor's cart token out of the
    session, has the cart service merge that cart into the user's, and sets the badge."""
    if request is None or not hasattr(request, "session"):
        return
    token = request.session.pop(SESSION_KEY, None)
    cart = cart_services.cart_merge_at_login(user=user, token=token)
    cart_count_remember(request, cart)
