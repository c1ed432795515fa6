"""Voucher-code inventory: adding codes (encrypted, duplicates refused), stock, reserving,
delivering, releasing and voiding. SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from catalog import inventory
from catalog.inventory import NewCode
from catalog.models import VoucherCode, VoucherStatus
from catalog.tests.factories import VariantFactory, stock

pytestmark = pytest.mark.django_db
V = VoucherStatus


def statuses(rows) -> list[str]:
    return [VoucherCode.objects.get(pk=row.pk).status for row in rows]


def test_codes_are_normalised_and_stored_encrypted():
    variant = VariantFactory()
    [code] = inventory.voucher_codes_add(
        variant=variant, codes=[NewCode(code=" abcd 1234 efgh ", pin=" 0420 ")]
    )

    stored = VoucherCode.objects.get(pk=code.pk)
    assert (stored.code, stored.pin, stored.status) == ("ABCD1234EFGH", "0420", V.AVAILABLE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, pin FROM catalog_vouchercode WHERE id = %s", [code.pk])
        raw_code, raw_pin = cursor.fetchone()
    assert "ABCD1234EFGH" not in raw_code
    assert "0420" not in raw_pin
    assert stored.code_digest == inventory.code_digest("abcd1234efgh")


def test_a_code_already_in_the_inventory_refuses_the_whole_batch():
    variant = VariantFactory()
    inventory.voucher_codes_add(variant=variant, codes=[NewCode("GIFT-0001")])

    with pytest.raises(IntegrityError):
        inventory.voucher_codes_add(
            variant=VariantFactory(), codes=[NewCode("GIFT-0002"), NewCode("gift-0001 ")]
        )

    assert VoucherCode.objects.count() == 1
    assert inventory.duplicate_digests(
        [inventory.code_digest("GIFT-0001"), inventory.code_digest("GIFT-0002")]
    ) == {inventory.code_digest("GIFT-0001")}


def test_stock_counts_available_codes_that_leave_time_to_use_them(settings):
    settings.CATALOG_MIN_CODE_VALIDITY_DAYS = 30
    today = timezone.localdate()
    variant, empty = VariantFactory(), VariantFactory()
    stock(variant, 2)
    stock(variant, 1, prefix="EDGE", expires_on=today + timedelta(days=30))
    stock(variant, 1, prefix="SOON", expires_on=today + timedelta(days=29))
    stock(variant, 1, prefix="GONE", expires_on=today - timedelta(days=1))
    [taken] = stock(variant, 1, prefix="TAKEN")
    VoucherCode.objects.filter(pk=taken.pk).update(status=V.RESERVED, order_line_id=1)

    assert inventory.stock_of([variant.pk, empty.pk]) == {variant.pk: 3, empty.pk: 0}


def test_reserve_takes_the_soonest_expiring_sellable_codes_first():
    today = timezone.localdate()
    variant = VariantFactory()
    [forever] = stock(variant, 1, prefix="FOREVER")
    [later] = stock(variant, 1, prefix="LATER", expires_on=today + timedelta(days=300))
    [sooner] = stock(variant, 1, prefix="SOONER", expires_on=today + timedelta(days=60))
    stock(variant, 1, prefix="TOOSOON", expires_on=today + timedelta(days=5))

    assert inventory.voucher_codes_reserve(variant_id=variant.pk, quantity=2, order_line_id=7) == 2

    assert statuses([sooner, later, forever]) == [V.RESERVED, V.RESERVED, V.AVAILABLE]
    assert set(
        VoucherCode.objects.filter(status=V.RESERVED).values_list("order_line_id", flat=True)
    ) == {7}


def test_reserve_returns_how_many_it_got_when_stock_runs_short():
    variant = VariantFactory()
    stock(variant, 2)
    assert inventory.voucher_codes_reserve(variant_id=variant.pk, quantity=5, order_line_id=1) == 2
    assert inventory.voucher_codes_reserve(variant_id=variant.pk, quantity=1, order_line_id=2) == 0
    assert inventory.stock_of([variant.pk]) == {variant.pk: 0}


def test_deliver_counts_every_delivered_code_of_each_line():
    variant = VariantFactory()
    stock(variant, 3)
    inventory.voucher_codes_reserve(variant_id=variant.pk, quantity=2, order_line_id=1)
    inventory.voucher_codes_reserve(variant_id=variant.pk, quantity=1, order_line_id=2)

    assert inventory.voucher_codes_deliver(order_line_ids=[1]) == {1: 2}
    # again: nothing new, the count stays
    assert inventory.voucher_codes_deliver(order_line_ids=[1, 3]) == {1: 2, 3: 0}
    assert [c.order_line_id for c in inventory.codes_for_lines([1, 2])] == [1, 1]
    assert VoucherCode.objects.filter(status=V.DELIVERED).exclude(delivered_at=None).count() == 2


def test_release_puts_reserved_codes_back_on_sale_but_not_delivered_ones():
    variant = VariantFactory()
    stock(variant, 3)
    inventory.voucher_codes_reserve(variant_id=variant.pk, quantity=1, order_line_id=1)
    inventory.voucher_codes_reserve(variant_id=variant.pk, quantity=2, order_line_id=2)
    inventory.voucher_codes_deliver(order_line_ids=[1])

    assert inventory.voucher_codes_release(order_line_ids=[1, 2]) == 2

    assert inventory.stock_of([variant.pk]) == {variant.pk: 2}
    assert VoucherCode.objects.filter(status=V.AVAILABLE, order_line_id=None).count() == 2
    assert VoucherCode.objects.get(status=V.DELIVERED).order_line_id == 1


def test_void_of_refunded_lines_takes_their_codes_out_for_good():
    variant = VariantFactory()
    stock(variant, 3)
    inventory.voucher_codes_reserve(variant_id=variant.pk, quantity=2, order_line_id=1)
    inventory.voucher_codes_deliver(order_line_ids=[1])

    assert inventory.voucher_codes_void(order_line_ids=[1]) == 2
    assert not inventory.codes_for_lines([1]).exists()
    assert inventory.voucher_codes_release(order_line_ids=[1]) == 0
    assert inventory.stock_of([variant.pk]) == {variant.pk: 1}


def test_an_operator_voids_available_and_reserved_codes_but_never_delivered_ones():
    variant = VariantFactory()
    available, reserved, delivered, void = stock(variant, 4)
    VoucherCode.objects.filter(pk=reserved.pk).update(status=V.RESERVED, order_line_id=1)
    VoucherCode.objects.filter(pk=delivered.pk).update(status=V.DELIVERED, order_line_id=2)
    VoucherCode.objects.filter(pk=void.pk).update(status=V.VOID)

    voided = inventory.voucher_codes_void_by_pks(
        pks=[available.pk, reserved.pk, delivered.pk, void.pk]
    )

    assert voided == 2
    assert statuses([available, reserved, delivered, void]) == [V.VOID, V.VOID, V.DELIVERED, V.VOID]
    assert inventory.delivered_counts([2]) == {2: 1}


def test_codes_added_by_hand_are_delivered_to_their_line_at_once():
    variant = VariantFactory()
    rows = inventory.voucher_codes_add_delivered(
        variant=variant, codes=[NewCode("BRAND-1", pin="1")], order_line_id=9
    )
    assert [c.status for c in rows] == [V.DELIVERED]
    assert inventory.delivered_counts([9]) == {9: 1}
    with pytest.raises(IntegrityError):
        inventory.voucher_codes_add_delivered(
            variant=variant, codes=[NewCode("brand-1")], order_line_id=10
        )
