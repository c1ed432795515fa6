"""The checkout's hand-written reads and locks (`coupzii.core.rowsql`) give the same instances
the ORM would: every field, converted as the ORM converts it (the payment's JSON, money as
Decimal, times), the related row the callers use already attached, nothing for a row that isn't
there, and the lock clause only where the database has row locks."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.transaction import TransactionManagementError

from accounts.tests.factories import UserFactory
from catalog.tests.factories import VariantFactory
from commerce import locks
from commerce.errors import ProductNotFound
from commerce.models import Order, Payment
from commerce.services.cart import variant_for_sale
from commerce.services.payments import _payments_where
from coupzii.core import rowsql
from wallet import services as ledger
from wallet.models import Account

from .factories import cart_with, place, wallet_credit

pytestmark = pytest.mark.django_db


def fields_of(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_a_locked_order_is_the_orms_order_with_its_shopper(card):
    user = UserFactory()
    order = place(user, cart_with(user, (card, 2)))

    locked = locks.order_lock(order.pk)

    assert fields_of(locked) == fields_of(Order.objects.get(pk=order.pk))
    assert locked.total == order.total and isinstance(locked.total, Decimal)
    assert Order.user.field.get_cached_value(locked) == user  # no query for the shopper
    assert fields_of(locked.user) == fields_of(user.__class__.objects.get(pk=user.pk))
    assert not locked._state.adding


def test_a_missing_order_raises_as_get_would():
    with pytest.raises(Order.DoesNotExist):
        locks.order_lock(0)


def test_payments_come_with_their_json_parsed_oldest_first(card):
    user = UserFactory()
    order = place(user, cart_with(user, (card, 1)))
    first = order.payments.get()
    second = Payment.objects.create(
        payable_kind=first.payable_kind,
        payable_ref=first.payable_ref,
        user=user,
        gateway=first.gateway,
        gateway_order_id=first.gateway_order_id,
        amount_paise=first.amount_paise,
        raw=[{"source": "test", "nested": {"n": 1}}],
    )

    rows = _payments_where("p.gateway_order_id = %s", [first.gateway_order_id])

    assert [row.pk for row in rows] == [first.pk, second.pk]
    assert rows[1].raw == [{"source": "test", "nested": {"n": 1}}]
    assert [fields_of(row) for row in rows] == [
        fields_of(row) for row in Payment.objects.filter(pk__in=[first.pk, second.pk])
    ]
    assert _payments_where("p.gateway_order_id = %s", ["-"]) == []


def test_a_variant_for_sale_comes_with_its_card_and_an_unsold_one_is_not_found():
    variant = VariantFactory()
    found = variant_for_sale(variant.sku)
    assert fields_of(found) == fields_of(variant.__class__.objects.get(pk=variant.pk))
    assert fields_of(found.product) == fields_of(
        variant.product.__class__.objects.get(pk=variant.product_id)
    )

    variant.product.is_active = False
    variant.product.save()
    with pytest.raises(ProductNotFound):
        variant_for_sale(variant.sku)
    with pytest.raises(ProductNotFound):
        variant_for_sale("no-such-sku")


def test_a_users_locked_account_holds_its_balance():
    user = UserFactory()
    wallet_credit(user, "120.50")

    account = ledger.user_account_lock(user)

    assert account.balance == Decimal("120.50")
    assert fields_of(account) == fields_of(Account.objects.get(pk=account.pk))


@pytest.mark.django_db(transaction=True)
def test_a_lock_outside_a_transaction_is_refused_where_rows_can_be_locked():
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite has no row locks")
    with pytest.raises(TransactionManagementError):
        locks.order_lock(1)


def test_the_lock_clause_is_written_only_where_rows_can_be_locked():
    if connection.features.has_select_for_update:
        assert rowsql.for_update() == " FOR UPDATE"
        assert rowsql.for_update(of="o") == " FOR UPDATE OF o"
    else:
        assert rowsql.for_update() == rowsql.for_update(of="o") == ""
