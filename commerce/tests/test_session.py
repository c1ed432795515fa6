"""The shop's part of the session (commerce/session.py): the visitor's cart token, the badge's
count, and the sign-in receiver that hands both to the cart service; and that service itself,
called with plain arguments."""

import uuid
from types import SimpleNamespace

import pytest

from accounts.tests.factories import UserFactory
from catalog.tests.factories import VariantFactory
from commerce import session as shop_session
from commerce.models import Cart, CartLine
from commerce.services import cart as carts
from commerce.tests.factories import PromoCodeFactory, cart_with

pytestmark = pytest.mark.django_db


def _visitor_cart(*lines, promo=None, use_wallet=False):
    cart = Cart.objects.create(token=uuid.uuid4(), promo_code=promo)
    cart.use_wallet = use_wallet
    cart.save()
    for variant, quantity in lines:
        CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
    request = SimpleNamespace(session={shop_session.SESSION_KEY: str(cart.token)})
    return cart, request


def test_signing_in_merges_the_visitors_cart_adding_quantities_within_the_limit():
    # given a user's cart with 4 of a card (at most 5) and a visitor's with 3 of it and another
    user = UserFactory()
    both, only_visitor = VariantFactory(), VariantFactory()
    cart_with(user, (both, 4))
    promo = PromoCodeFactory()
    guest, request = _visitor_cart((both, 3), (only_visitor, 2), promo=promo, use_wallet=True)

    # when
    shop_session.cart_merge_on_login(sender=None, request=request, user=user)

    # then
    mine = carts.cart_of_user(user)
    assert dict(mine.lines.values_list("variant_id", "quantity")) == {
        both.pk: 5,
        only_visitor.pk: 2,
    }
    assert mine.promo_code == promo
    assert mine.use_wallet is True
    assert not Cart.objects.filter(pk=guest.pk).exists()
    assert request.session[shop_session.COUNT_KEY] == 7
    assert shop_session.SESSION_KEY not in request.session


def test_signing_in_keeps_the_users_own_promo_code_over_the_visitors():
    user = UserFactory()
    own, visitors = PromoCodeFactory(), PromoCodeFactory()
    cart_with(user, (VariantFactory(), 1), promo=own)
    _guest, request = _visitor_cart((VariantFactory(), 1), promo=visitors)

    shop_session.cart_merge_on_login(sender=None, request=request, user=user)

    assert carts.cart_of_user(user).promo_code == own


def test_signing_in_merges_only_as_many_new_lines_as_the_cart_has_room_for(settings):
    settings.COMMERCE_MAX_CART_LINES = 2
    user = UserFactory()
    cart_with(user, (VariantFactory(), 1))
    _guest, request = _visitor_cart((VariantFactory(), 1), (VariantFactory(), 1))

    shop_session.cart_merge_on_login(sender=None, request=request, user=user)

    assert carts.cart_of_user(user).lines.count() == 2


def test_signing_in_without_a_visitors_cart_changes_nothing():
    user = UserFactory()
    cart_with(user, (VariantFactory(), 2))
    request = SimpleNamespace(session={})
    shop_session.cart_merge_on_login(sender=None, request=request, user=user)
    assert request.session[shop_session.COUNT_KEY] == 2


def test_the_cart_service_merges_by_token_with_plain_arguments():
    user = UserFactory()
    variant = VariantFactory()
    guest, _request = _visitor_cart((variant, 2))

    mine = carts.cart_merge_at_login(user=user, token=str(guest.token))

    assert mine.user == user
    assert dict(mine.lines.values_list("variant_id", "quantity")) == {variant.pk: 2}
    assert not Cart.objects.filter(pk=guest.pk).exists()
    # no token, and no cart of their own: nothing is made
    assert carts.cart_merge_at_login(user=UserFactory(), token=None) is None


def test_a_users_cart_is_never_taken_as_a_visitors_by_token():
    user = UserFactory()
    cart = carts.cart_of_user(user)
    CartLine.objects.create(cart=cart, variant=VariantFactory(), quantity=1)
    assert carts.cart_of_visitor(str(uuid.uuid4()), create=False) is None
    # a visitor cart is made with a token of its own, for the caller to keep
    made = carts.cart_of_visitor(None)
    assert made.user is None and made.token is not None
    assert carts.cart_of_visitor(str(made.token), create=False) == made


def test_a_visitors_first_cart_puts_its_token_in_the_session_once():
    request = SimpleNamespace(user=SimpleNamespace(is_authenticated=False), session={})

    cart = shop_session.cart_of_request(request)

    assert request.session == {shop_session.SESSION_KEY: str(cart.token)}
    assert shop_session.cart_of_request(request) == cart
    assert shop_session.cart_of_request(request, create=False) == cart
    assert Cart.objects.count() == 1
    assert (
        shop_session.cart_of_request(
            SimpleNamespace(user=SimpleNamespace(is_authenticated=False), session={}), create=False
        )
        is None
    )
