"""Demo shop (`manage.py seed_demo`): gift cards with pictures and stock, two promo codes, and
the demo shopper's orders in every state, made through the real services; idempotent."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Count, F, Sum
from django.utils import timezone

from accounts import sms
from accounts.models import Notification, User
from catalog import gift_card_art, inventory
from catalog.models import Product, ProductImage, Variant, VoucherCode, VoucherStatus
from catalog.selectors import gift_card_categories, gift_cards_list
from commerce import demo, ledger_kinds
from commerce.models import (
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    PromoCode,
    PromoUsage,
    Refund,
    WebhookEvent,
)
from commerce.selectors import codes_by_line
from wallet import ledger
from wallet.ledger import ledger_problems
from wallet.models import AccountKind, Posting, Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo")


@pytest.fixture
def asha(seeded):
    return User.objects.get(email="asha@coupzii.test")


def demo_order(user, key: str) -> Order:
    return Order.objects.get(user=user, idempotency_key=key)


def shop_counts() -> dict:
    return {
        "products": Product.objects.count(),
        "variants": Variant.objects.count(),
        "images": ProductImage.objects.count(),
        "codes": Counter(VoucherCode.objects.values_list("status", flat=True)),
        "promos": PromoCode.objects.count(),
        "promo uses": PromoUsage.objects.count(),
        "orders": Counter(Order.objects.values_list("status", flat=True)),
        "payments": Counter(Payment.objects.values_list("status", flat=True)),
        "refunds": Refund.objects.count(),
        "webhooks": WebhookEvent.objects.count(),
        "ledger": Transaction.objects.count(),
        "notifications": Notification.objects.count(),
    }


def test_seeding_twice_gives_the_same_shop(seeded):
    first = shop_counts()

    call_command("seed_demo")

    assert shop_counts() == first
    assert ledger_problems() == []


def test_seeding_the_shop_alone_again_adds_nothing(seeded):
    # given the whole demo, when only the shop's seeder runs again
    first = shop_counts()
    lines = []

    demo.seed(lines.append)

    # then nothing is added and it says so
    assert shop_counts() == first
    assert lines[0].startswith("0 new gift cards (20 in the demo), 0 new voucher codes")


def test_twenty_gift_cards_of_the_demo_brands_are_on_sale_in_their_categories(seeded):
    cards = list(gift_cards_list())

    assert len(cards) == len(demo.CARDS) == 20
    assert {card.merchant.slug for card in cards} >= {
        "amazon",
        "flipkart",
        "myntra",
        "swiggy",
        "zomato",
        "bookmyshow",
    }
    assert len(gift_card_categories()) >= 10
    amazon = Product.objects.get(slug="amazon-pay")
    assert (amazon.merchant.name, amazon.category.slug) == ("Amazon", "electronics")
    for product in Product.objects.all():
        product.full_clean()
        assert len(product.description) > 60 and product.how_to_redeem
        assert f"Valid for {product.validity_days} days" in product.terms


def test_prices_round_up_to_the_rupee_so_never_more_off_than_advertised():
    assert demo.price_for(250, "2.5") == Decimal("244.00")  # 243.75 rounded up: never more off
    assert demo.price_for(1000, "0") == Decimal("1000.00")


def test_denominations_are_priced_up_to_six_percent_below_face_value(seeded):
    for product in Product.objects.annotate(n=Count("variants")):
        assert 2 <= product.n <= 4
    for variant in Variant.objects.all():
        variant.full_clean()
        assert variant.face_value in {Decimal(v) for v in (100, 250, 500, 1000, 2000, 5000)}
        assert variant.face_value * Decimal("0.94") <= variant.price <= variant.face_value
        assert variant.sku == f"{variant.product.slug}-{variant.face_value:.0f}"
    assert Variant.objects.filter(price__lt=F("face_value")).count() > 40


def test_every_card_has_a_generated_svg_picture_in_its_brand_colour(seeded):
    for product in Product.objects.select_related("merchant").prefetch_related("images"):
        [image] = product.images.all()
        assert image.image.name == f"gift-cards/{product.slug}.svg"
        assert image.alt.endswith("gift card")
        with default_storage.open(image.image.name) as picture:
            svg = picture.read().decode()
        assert svg.startswith("<svg")
        assert f'fill="{product.merchant.brand_color}"' in svg
        assert ">GIFT CARD</text>" in svg
    amazon = ProductImage.objects.get(product__slug="amazon-pay")
    assert amazon.alt == "Amazon Pay gift card"


def test_card_picture_escapes_the_name_and_shrinks_long_ones():
    svg = gift_card_art.card_svg('A "quoted" <brand>', "not a colour")

    assert "<brand>" not in svg
    assert 'aria-label="A &quot;quoted&quot; &lt;brand&gt; gift card"' in svg
    assert 'fill="#0f766e"' in svg  # the site's teal for a bad colour
    long, short = gift_card_art.name_font_size("A" * 30), gift_card_art.name_font_size("Uber")
    assert 16 <= long < short <= 34


def test_stock_is_ten_to_forty_codes_a_denomination_but_one_low_and_one_sold_out(seeded):
    issued = dict(
        VoucherCode.objects.values("variant__sku")
        .annotate(n=Count("pk"))
        .values_list("variant__sku", "n")
    )
    skus = Variant.objects.values_list("sku", flat=True)
    stock = inventory.stock_of(Variant.objects.values_list("pk", flat=True))

    assert issued.get(demo.OUT_OF_STOCK_SKU, 0) == 0
    assert issued[demo.LOW_STOCK_SKU] == demo.LOW_STOCK == 2
    assert all(
        10 <= issued[sku] <= 40
        for sku in skus
        if sku not in {demo.OUT_OF_STOCK_SKU, demo.LOW_STOCK_SKU}
    )
    by_sku = dict(Variant.objects.values_list("sku", "pk"))
    assert stock[by_sku[demo.OUT_OF_STOCK_SKU]] == 0
    assert stock[by_sku[demo.LOW_STOCK_SKU]] == 2


def test_codes_look_real_have_pins_where_the_brand_uses_them_and_expire_in_about_a_year(seeded):
    today = timezone.localdate()
    for code in VoucherCode.objects.select_related("variant__product")[:400]:
        card = next(c for c in demo.CARDS if c.slug == code.variant.product.slug)
        assert len(code.code) == len(card.code_format)
        assert len(code.pin) == card.pin_digits
        assert today + timedelta(days=360) <= code.expires_on <= today + timedelta(days=420)
    amazon = VoucherCode.objects.filter(variant__product__slug="amazon-pay").first()
    assert amazon.code[4] == "-" and amazon.code[11] == "-" and not amazon.pin
    flipkart = VoucherCode.objects.filter(variant__product__slug="flipkart").first()
    assert flipkart.code.isdigit() and len(flipkart.code) == 16 and len(flipkart.pin) == 6


def test_two_promo_codes_welcome10_and_flat50_for_some_categories(seeded):
    welcome = PromoCode.objects.get(code="WELCOME10")
    flat = PromoCode.objects.get(code="FLAT50")

    assert (welcome.kind, welcome.value, welcome.max_discount, welcome.min_order) == (
        "percent",
        Decimal("10.00"),
        Decimal("200.00"),
        Decimal("500.00"),
    )
    assert welcome.per_user_limit == 1 and welcome.is_active and welcome.ends_at is None
    assert (flat.kind, flat.value, flat.min_order) == ("flat", Decimal("50.00"), Decimal("1000"))
    assert set(flat.categories.values_list("slug", flat=True)) == {
        "electronics",
        "entertainment",
        "travel",
    }
    assert flat.starts_at < timezone.now() < flat.ends_at


def test_the_demo_shopper_has_orders_in_every_state(asha):
    statuses = {o.idempotency_key: o.status for o in Order.objects.filter(user=asha)}

    assert statuses == {
        "demo-order-1": OrderStatus.FULFILLED,
        "demo-order-2": OrderStatus.FULFILLED,
        "demo-order-3": OrderStatus.FULFILLED,
        "demo-order-4": OrderStatus.FAILED,
        "demo-order-5": OrderStatus.CANCELLED,
        "demo-order-6": OrderStatus.PENDING_PAYMENT,
    }


def test_an_order_paid_partly_from_the_wallet_with_welcome10(asha):
    order = demo_order(asha, "demo-order-2")

    assert order.promo.code == "WELCOME10"
    assert order.discount == Decimal("121.00")  # 10% of ₹1,210
    assert order.wallet_amount > 0 and order.gateway_amount > 0
    assert order.payments.get().status == PaymentStatus.CAPTURED
    # the browser's report and the webhook both arrived; the capture counted once
    assert WebhookEvent.objects.filter(
        payload__payload__payment__entity__id=order.payments.get().gateway_payment_id
    ).exists()
    codes = codes_by_line(order)
    assert all(len(codes[line.pk]) == line.quantity for line in order.lines.all())


def test_an_order_paid_online_with_flat50_and_one_from_the_wallet_with_a_refunded_line(asha):
    online = demo_order(asha, "demo-order-3")
    from_wallet = demo_order(asha, "demo-order-1")

    assert (online.promo.code, online.discount, online.wallet_amount) == (
        "FLAT50",
        Decimal("50.00"),
        Decimal("0.00"),
    )
    assert from_wallet.gateway_amount == 0 and not from_wallet.payments.exists()
    refund = from_wallet.refunds.get()
    [refunded] = from_wallet.lines.filter(refund=refund)
    assert refunded.variant.sku == "zomato-100"
    assert (refund.amount, refund.wallet_amount, refund.status) == (
        refunded.net_amount,
        refunded.net_amount,
        "processed",
    )
    assert from_wallet.status == OrderStatus.FULFILLED  # the Swiggy card is still theirs
    assert VoucherCode.objects.get(order_line_id=refunded.pk).status == VoucherStatus.VOID


def test_failed_expired_and_waiting_orders_hold_or_release_codes_as_they_should(asha):
    failed = demo_order(asha, "demo-order-4")
    expired = demo_order(asha, "demo-order-5")
    waiting = demo_order(asha, "demo-order-6")

    assert failed.payments.get().status == PaymentStatus.FAILED
    assert expired.pay_by < timezone.now() and expired.closed_at
    for order in (failed, expired):
        line_ids = list(order.lines.values_list("pk", flat=True))
        assert not VoucherCode.objects.filter(order_line_id__in=line_ids).exists()
    assert waiting.pay_by > timezone.now()
    assert (
        VoucherCode.objects.filter(
            order_line_id__in=waiting.lines.values("pk"), status=VoucherStatus.RESERVED
        ).count()
        == 2
    )


def test_the_ledger_is_sound_and_the_wallet_keeps_a_balance_to_spend(asha):
    balances = ledger.balances(asha)
    # The full demo also seeds the marketplace, which Asha pays into and is paid from; only
    # the shop's and the wallet's own movements are this test's.
    elsewhere = Posting.objects.filter(
        account__user=asha,
        account__kind=AccountKind.AVAILABLE,
        transaction__reference_type__startswith="marketplace",
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")

    assert ledger_problems() == []
    # the refunded Zomato card's price came back after the wallet paid for two orders
    assert balances[AccountKind.AVAILABLE] - elsewhere == Decimal("96.00")
    assert balances[AccountKind.HELD] == Decimal("150.00")  # only the pending withdrawal
    assert ledger.platform_balance(ledger_kinds.ESCROW) == 0


def test_demo_orders_leave_the_shopper_their_notices(asha):
    titles = set(asha.notifications.values_list("title", flat=True))

    assert {"Your gift cards are ready", "Order not completed", "Refund on its way"} <= titles


def test_without_the_demo_shopper_only_the_cards_and_promos_are_seeded():
    lines = []

    demo.seed(lines.append)

    assert Product.objects.count() == 20
    assert PromoCode.objects.count() == 2
    assert not Order.objects.exists()


def test_seeding_sends_no_codes_by_email_or_text(settings, mailoutbox):
    # The demo's orders are not news to anybody: their codes stay on the order pages.
    settings.DEBUG = True
    sms.outbox.clear()
    call_command("seed_demo")

    assert not [m for m in mailoutbox if "gift cards, order" in m.subject]
    assert not any("Coupzii order" in text["body"] for text in sms.outbox)
