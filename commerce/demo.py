"""Demo shop for `manage.py seed_demo`: twenty gift cards of the demo brands with their
denominations, pictures and voucher codes, two promo codes, and Asha's orders in every state,
placed, paid, failed, expired and refunded through the real services on the dev gateway, so
the ledger, the codes and the timelines are what they would be live.

Idempotent: cards, denominations and promo codes are found by slug, SKU and code; codes are
added only to a denomination that never had any; orders are found by their idempotency keys
("demo-order-1" ...) and only moved on if a step is missing. Runs after the catalog, offers and
wallet demos (commerce comes last in INSTALLED_APPS), whose brands and balances it uses.

Then a year of gift-card orders for the operators' dashboard (`seed_history`), placed by the
offers demo's history shoppers: history rows that move no money.
"""

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_UP, Decimal

from django.conf import settings
from django.db import IntegrityError
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.services import in_app_only
from catalog import demo as catalog_demo
from catalog import services as inventory
from catalog.gift_card_art import card_image_attach
from catalog.logos import logo_attach
from catalog.models import CashbackKind, Category, Merchant, Product, Variant, VoucherCode
from catalog.services import NewCode
from coupzii.core.errors import DomainError
from coupzii.core.money import PAISE
from offers.models import Click

from .gateways import DevPayment, gateway
from .models import Order, OrderLine, OrderStatus, PromoCode, PromoKind
from .services import payments
from .services.cart import (
    cart_empty,
    cart_line_set,
    cart_of_user,
    cart_promo_apply,
    cart_use_wallet,
)
from .services.checkout import NUMBER_ALPHABET, NUMBER_LENGTH, order_place
from .services.order_payable import order_expire
from .services.refunds import order_refund_lines

SEED = 6  # the number: stock counts and expiry dates are the same on every run
DIGITS = "0123456789"
# Letters and digits a person can't misread when typing a code in (no 0/O, 1/I/L).
CODE_CHARACTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CARD_NUMBER = "################"  # a 16-digit card number, the format most Indian brands use

# The demo's two stock warnings: a denomination nearly sold out, and one sold out.
LOW_STOCK_SKU, LOW_STOCK = "tanishq-5000", 2
OUT_OF_STOCK_SKU = "pvr-inox-2000"
STOCK_RANGE = (10, 40)

COMMON_TERMS = (
    "Cannot be exchanged for cash, reloaded, or used to buy other gift cards.",
    "Treat the code and PIN like cash: a lost or stolen card can't be blocked or replaced.",
    "Sold by Coupzii as an authorised reseller; the brand's own gift-card terms also apply.",
)


@dataclass(frozen=True)
class Card:
    """A demo gift card. Its SKUs are "<slug>-<face value>" ("amazon-pay-500")."""

    slug: str
    brand: str  # the merchant's slug in the catalog demo
    name: str
    label: str  # the name on the generated picture
    category: str
    faces: tuple[int, ...]
    off_percent: str  # how far below face value it sells
    code_format: str  # "#" a digit, "X" a letter or digit, anything else as it is
    pin_digits: int
    description: str
    how_to_redeem: str
    brand_terms: str
    validity_days: int = 365
    featured: bool = False


# fmt: off
CARDS = [
    Card(
        "amazon-pay", "amazon", "Amazon Pay Gift Card", "Amazon Pay", "electronics",
        (250, 500, 1000, 2000), "0", "XXXX-XXXXXX-XXXX", 0,
        "Add it to your Amazon Pay balance and spend it on millions of products on Amazon.in, "
        "from phones and laptops to groceries, or on recharges, bill payments and Prime.",
        "1. Sign in at amazon.in or in the Amazon app.\n"
        "2. Go to Amazon Pay > Add Gift Card to Balance.\n"
        "3. Enter the 14-character claim code and tap Add to your balance.\n"
        "4. Choose Amazon Pay balance at checkout to spend it.",
        "The balance is added to one Amazon.in account and cannot be moved to another account "
        "or withdrawn to a bank account.",
        featured=True,
    ),
    Card(
        "flipkart", "flipkart", "Flipkart Gift Card", "Flipkart", "electronics",
        (500, 1000, 2000, 5000), "2", CARD_NUMBER, 6,
        "Mobiles, electronics, fashion, home and every Big Billion Days deal on Flipkart. "
        "The card can be spread over several orders until its value runs out.",
        "1. Add your items to the cart on flipkart.com or in the Flipkart app.\n"
        "2. At Payments choose Gift Card and enter the 16-digit card number and 6-digit PIN.\n"
        "3. Pay anything left with another payment method.\n"
        "4. To keep the value for later, add the card under My Account > Gift Cards.",
        "Up to 15 Flipkart gift cards can be used on one order. Not valid on Flipkart "
        "Wholesale.",
        featured=True,
    ),
    Card(
        "myntra", "myntra", "Myntra Gift Card", "Myntra", "fashion",
        (500, 1000, 2000), "4", CARD_NUMBER, 6,
        "Fashion for everyone they love: clothing, footwear, beauty and accessories from "
        "6,000+ brands on Myntra.",
        "1. Open the Myntra app or myntra.com and sign in.\n"
        "2. Go to Profile > Gift Cards > Add Gift Card.\n"
        "3. Enter the 16-digit card number and 6-digit PIN: the value becomes Myntra credit.\n"
        "4. Myntra credit is applied at checkout.",
        "Once added, the value stays in that Myntra account as Myntra credit.",
        featured=True,
    ),
    Card(
        "ajio", "ajio", "AJIO Gift Card", "AJIO", "fashion",
        (500, 1000, 2000), "5", CARD_NUMBER, 6,
        "Curated fashion from Reliance: international brands, Indie labels and AJIO "
        "exclusives for men, women and kids.",
        "1. Add your items to the bag on ajio.com or in the AJIO app.\n"
        "2. At payment choose Gift Card and enter the 16-digit card number and 6-digit PIN.\n"
        "3. Pay anything left with another payment method.",
        "Several AJIO gift cards can be combined on one order. Returns of items paid with the "
        "card are refunded to your AJIO wallet.",
    ),
    Card(
        "shoppers-stop", "shoppers-stop", "Shoppers Stop Gift Card", "Shoppers Stop", "fashion",
        (1000, 2000, 5000), "3", CARD_NUMBER, 6,
        "Premium fashion, beauty and watches from 500+ brands, in 90+ Shoppers Stop stores "
        "across India and online.",
        "In store: show the card number and PIN at the billing counter.\n"
        "Online: at checkout on shoppersstop.com choose Gift Card and enter the card number "
        "and PIN.",
        "Valid at Shoppers Stop department stores and on shoppersstop.com. It can be used in "
        "parts; the balance stays on the card until it expires.",
    ),
    Card(
        "swiggy", "swiggy", "Swiggy Gift Card", "Swiggy", "food-dining",
        (100, 250, 500, 1000), "3", "XXXXXXXXXXXX", 6,
        "Food from their favourite restaurants, Instamart groceries in minutes and Dineout "
        "tables: one card for all of Swiggy.",
        "1. Open the Swiggy app and go to Account > Payments > Gift Cards.\n"
        "2. Tap Add Gift Card and enter the code and PIN.\n"
        "3. The value is used on your next orders.",
        "Valid on food delivery, Instamart and Dineout in the Swiggy app; not on tips or "
        "donations.",
        featured=True,
    ),
    Card(
        "zomato", "zomato", "Zomato Gift Card", "Zomato", "food-dining",
        (100, 250, 500, 1000), "4", "ZOM-XXXXXXXXXX", 0,
        "Order in from 2,00,000+ restaurants across India, or pay the bill when you dine out, "
        "with Zomato.",
        "1. Open the Zomato app and go to Profile > Zomato Money > Add gift card.\n"
        "2. Enter the gift-card code.\n"
        "3. Zomato Money is applied at checkout on delivery and dining orders.",
        "Added as Zomato Money to one account. Not valid on Blinkit or on Zomato Gold "
        "membership.",
    ),
    Card(
        "dominos", "dominos", "Domino's Pizza Gift Voucher", "Domino's", "food-dining",
        (250, 500), "6", "XXXXXXXXXX", 0,
        "Hot pizzas, sides and desserts, delivered in 30 minutes or picked up at 1,800+ "
        "Domino's restaurants.",
        "Online: enter the code under Gift Voucher on the payment page of the Domino's app or "
        "dominos.co.in.\n"
        "In a restaurant: show the code at the counter before you pay.",
        "One voucher per order, used in full: any value left over on that order lapses. "
        "Valid at participating restaurants.",
        validity_days=180,
    ),
    Card(
        "bigbasket", "bigbasket", "BigBasket Gift Card", "BigBasket", "groceries",
        (500, 1000, 2000), "2.5", CARD_NUMBER, 6,
        "Groceries, fresh fruit and vegetables, dairy and household essentials from "
        "BigBasket, delivered on their schedule or in minutes with bbnow.",
        "1. Sign in to the BigBasket app and go to My Account > bb Wallet > Add Gift Card.\n"
        "2. Enter the 16-digit card number and 6-digit PIN.\n"
        "3. The value moves to your bb Wallet and is used at checkout.",
        "Once added to a bb Wallet the value can't be moved to another account.",
    ),
    Card(
        "bookmyshow", "bookmyshow", "BookMyShow Gift Card", "BookMyShow", "entertainment",
        (250, 500, 1000), "5", CARD_NUMBER, 6,
        "Movies, concerts, plays, comedy and sport: let them pick the show, the seats and the "
        "snacks on BookMyShow.",
        "1. Pick a show and seats on BookMyShow and go to payment.\n"
        "2. Choose Gift Card and enter the card number and PIN.\n"
        "3. Pay anything left with another payment method.",
        "Pays for tickets and food and beverage add-ons; several cards can be used on one "
        "booking.",
        featured=True,
    ),
    Card(
        "pvr-inox", "pvr-inox", "PVR INOX Gift Card", "PVR INOX", "entertainment",
        (500, 1000, 2000), "6", CARD_NUMBER, 6,
        "Movie tickets and the famous popcorn at 1,700+ PVR and INOX screens in 110+ cities.",
        "Online: at payment in the PVR INOX app or website choose Gift Card and enter the "
        "card number and PIN.\n"
        "At the cinema: show the card number and PIN at the box office or the food counter.",
        "Valid at PVR and INOX cinemas in India for tickets and food and beverages; not for "
        "private screenings.",
    ),
    Card(
        "nykaa", "nykaa", "Nykaa Gift Card", "Nykaa", "beauty",
        (500, 1000, 2000), "5", CARD_NUMBER, 6,
        "Makeup, skincare, haircare and fragrances from 4,000+ beauty brands, online and at "
        "Nykaa stores.",
        "1. Sign in to the Nykaa app and go to Account > Gift Card > Add a gift card.\n"
        "2. Enter the 16-digit card number and 6-digit PIN.\n"
        "3. The balance is applied at checkout. In a store, show the card number and PIN.",
        "Valid on Nykaa and Nykaa Fashion online and at Nykaa stores.",
    ),
    Card(
        "makemytrip", "makemytrip", "MakeMyTrip Holiday Gift Card", "MakeMyTrip", "travel",
        (1000, 2000, 5000), "4", CARD_NUMBER, 6,
        "Flights, hotels and holiday packages: a trip of their choosing, booked on "
        "MakeMyTrip.",
        "1. Choose a flight, hotel or holiday on MakeMyTrip and go to payment.\n"
        "2. Pick Gift Cards and enter the card number and PIN.\n"
        "3. Pay anything left with another payment method.",
        "Valid on flights, hotels and holiday packages; not on train and bus tickets. If a "
        "booking paid with the card is cancelled, the card's share goes to your MakeMyTrip "
        "wallet.",
    ),
    Card(
        "uber", "uber", "Uber Gift Card", "Uber", "cabs-rides",
        (250, 500, 1000), "2", "UBER-XXXX-XXXX-XXXX", 0,
        "Rides in minutes, from Auto and Moto to Premier and Intercity, in 125+ Indian cities.",
        "1. Open the Uber app and go to Wallet > Add Payment Method > Gift Card.\n"
        "2. Enter the gift-card code.\n"
        "3. The credit is used on your next rides.",
        "Credit is added to one Uber account and used on rides in India; not on tips or "
        "tolls paid in cash.",
    ),
    Card(
        "croma", "croma", "Croma Gift Card", "Croma", "electronics",
        (1000, 2000, 5000), "1.5", CARD_NUMBER, 6,
        "TVs, laptops, phones, appliances and accessories at 500+ Croma stores and on "
        "croma.com.",
        "In store: show the card number and PIN at the billing counter.\n"
        "Online: at payment on croma.com choose Gift Card and enter the card number and PIN.",
        "Several cards can be combined on one bill; the balance stays on the card until it "
        "expires.",
    ),
    Card(
        "tanishq", "tanishq", "Tanishq Gift Card", "Tanishq", "jewellery-watches",
        (1000, 2000, 5000), "1", CARD_NUMBER, 6,
        "Gold, diamond and silver jewellery from the house of Tata, at 400+ Tanishq stores "
        "and on tanishq.co.in.",
        "In store: show the card number and PIN at the billing counter of any Tanishq store.\n"
        "Online: at payment on tanishq.co.in choose Gift Card and enter the card number and "
        "PIN.",
        "Not valid on gold coins and bars, or on the Golden Harvest savings plan.",
    ),
    Card(
        "decathlon", "decathlon", "Decathlon Gift Card", "Decathlon", "fashion",
        (500, 1000, 2000), "3", CARD_NUMBER, 6,
        "Gear, clothing and shoes for 70+ sports at everyday low prices, in 100+ Decathlon "
        "stores and online.",
        "In store: show the card number and PIN at the checkout.\n"
        "Online: at payment on decathlon.in choose Gift Card and enter the card number and "
        "PIN.",
        "Valid at Decathlon stores in India and on decathlon.in; several cards can be used on "
        "one bill.",
    ),
    Card(
        "lenskart", "lenskart", "Lenskart Gift Card", "Lenskart", "health-pharmacy",
        (500, 1000, 2000), "5", "LKXXXXXXXXXX", 6,
        "Spectacles, sunglasses and contact lenses, with a free eye test, at 2,000+ Lenskart "
        "stores and on lenskart.com.",
        "Online: at checkout on lenskart.com or in the app choose Gift Voucher and enter the "
        "code and PIN.\n"
        "In store: show the code and PIN before you pay.",
        "Valid on frames, lenses, sunglasses and contact lenses; not on Lenskart Gold "
        "membership.",
    ),
    Card(
        "pepperfry", "pepperfry", "Pepperfry Gift Card", "Pepperfry", "home-furniture",
        (1000, 2000, 5000), "6", CARD_NUMBER, 6,
        "Sofas, beds, dining sets and decor from Pepperfry, with delivery and assembly "
        "included.",
        "1. Add your items to the cart on pepperfry.com and go to payment.\n"
        "2. Choose Gift Card and enter the card number and PIN.\n"
        "3. Pay anything left with another payment method.",
        "Valid on products sold on pepperfry.com and at Pepperfry studios.",
    ),
    Card(
        "firstcry", "firstcry", "FirstCry Gift Card", "FirstCry", "kids-baby",
        (250, 500, 1000), "5", CARD_NUMBER, 6,
        "Clothes, diapers, toys and everything else for babies and kids, online and at 400+ "
        "FirstCry stores.",
        "Online: at payment on firstcry.com choose Gift Card and enter the card number and "
        "PIN.\n"
        "In store: show the card number and PIN at the billing counter.",
        "Valid on firstcry.com, in the FirstCry app and at FirstCry stores; not on FirstCry "
        "Club membership.",
    ),
]
# fmt: on

# code, kind, value, largest discount, smallest order, uses per shopper, categories, description
PROMOS = [
    (
        "WELCOME10",
        PromoKind.PERCENT,
        "10",
        "200",
        "500",
        1,
        (),
        "10% off your first gift-card order, up to ₹200, on orders from ₹500",
    ),
    (
        "FLAT50",
        PromoKind.FLAT,
        "50",
        None,
        "1000",
        3,
        ("electronics", "entertainment", "travel"),
        "₹50 off electronics, entertainment and travel gift cards on orders from ₹1,000",
    ),
]


@dataclass(frozen=True)
class DemoOrder:
    """One of Asha's orders: what she bought and how it ended."""

    key: str  # the order's idempotency key, which finds it again on the next run
    lines: tuple[tuple[str, int], ...]  # (SKU, quantity)
    outcome: str  # "fulfilled", "failed", "expired" or "pending"
    promo: str = ""
    use_wallet: bool = False
    refund_sku: str = ""  # an operator refunds this line afterwards
    refund_reason: str = ""


# In this order: the first is paid from her wallet alone, the second spends what is left of it
# alongside the card, and the refund of the first one's Zomato card (made last) puts that
# card's price back in her wallet, so the demo wallet still shows a balance to spend.
ORDERS = [
    DemoOrder(
        "demo-order-1",
        (("swiggy-100", 1), ("zomato-100", 1)),
        "fulfilled",
        use_wallet=True,
        refund_sku="zomato-100",
        # In the catalogue, so the order page shows this reason in Hindi too.
        refund_reason=gettext_noop(
            "Zomato could not add the card to your account; the brand confirmed the code was "
            "never used."
        ),
    ),
    DemoOrder(
        "demo-order-2",
        (("myntra-1000", 1), ("amazon-pay-250", 1)),
        "fulfilled",
        promo="WELCOME10",
        use_wallet=True,
    ),
    DemoOrder(
        "demo-order-3", (("flipkart-1000", 1), ("bookmyshow-500", 1)), "fulfilled", promo="FLAT50"
    ),
    DemoOrder("demo-order-4", (("ajio-1000", 1),), "failed"),
    DemoOrder("demo-order-5", (("croma-2000", 1),), "expired"),
    DemoOrder("demo-order-6", (("nykaa-500", 2),), "pending"),
]


def seed(log) -> None:
    # Asha's orders are history, not news: their notices stay in the app.
    with in_app_only():
        _seed_cards(log)
        _seed_promos(log)
        _seed_orders(log)
    seed_history(log)


# --- Gift cards --------------------------------------------------------------------------------


def _seed_cards(log) -> None:
    new_cards = new_codes = 0
    for card in CARDS:
        product, created = Product.objects.get_or_create(
            slug=card.slug,
            defaults={
                "merchant": _brand(card.brand),
                "category": _category(card.category),
                "name": card.name,
                # Brand names stay as written; "Gift Card" reads in Hindi.
                "name_hi": card.name.replace("Gift Card", "गिफ़्ट कार्ड"),
                "description": card.description,
                "terms": _terms(card),
                "how_to_redeem": card.how_to_redeem,
                "validity_days": card.validity_days,
                "featured": card.featured,
            },
        )
        new_cards += created
        if not product.name_hi:  # a demo seeded before gift cards had Hindi names
            product.name_hi = card.name.replace("Gift Card", "गिफ़्ट कार्ड")
            product.save(update_fields=["name_hi"])
        card_image_attach(product, label=card.label)
        for face in card.faces:
            new_codes += _seed_denomination(card, product, face)
    log(
        f"{new_cards} new gift cards ({len(CARDS)} in the demo), {new_codes} new voucher codes"
        f" ({LOW_STOCK_SKU} nearly sold out, {OUT_OF_STOCK_SKU} sold out)"
    )


def _brand(slug: str) -> Merchant:
    """The catalog demo's merchant; made here (as the catalog demo makes it) if missing."""
    merchant = Merchant.objects.filter(slug=slug).first()
    if merchant is not None:
        return merchant
    name, _slug, domain, colour, categories, network, *_rest, about = next(
        row for row in catalog_demo.MERCHANTS if row[1] == slug
    )
    merchant = Merchant.objects.create(
        slug=slug,
        name=name,
        brand_color=colour,
        website=f"https://{domain}/",
        description=about,
        affiliate_network=network,
        tracking_url_template=catalog_demo.tracking_template(
            network=network, slug=slug, domain=domain
        ),
        cashback_kind=CashbackKind.NONE,
        cashback_value=Decimal("0"),
    )
    merchant.categories.set([_category(s) for s in categories])
    logo_attach(merchant)
    return merchant


def _category(slug: str) -> Category:
    names = {row[0]: (row[1], row[2]) for row in catalog_demo.CATEGORIES}
    name, icon = names[slug]
    category, _created = Category.objects.get_or_create(
        slug=slug,
        defaults={"name": name, "name_hi": catalog_demo.CATEGORY_NAMES_HI[slug], "icon": icon},
    )
    return category


def _terms(card: Card) -> str:
    validity = f"Valid for {card.validity_days} days from delivery; the expiry date is shown "
    validity += "with the code."
    return "\n".join([validity, card.brand_terms, *COMMON_TERMS])


def price_for(face: int, off_percent: str) -> Decimal:
    """Face value less the card's discount, rounded up to the rupee: never more off than
    advertised."""
    exact = Decimal(face) * (100 - Decimal(off_percent)) / 100
    return exact.quantize(Decimal("1"), rounding=ROUND_UP).quantize(PAISE)


def _seed_denomination(card: Card, product: Product, face: int) -> int:
    sku = f"{card.slug}-{face}"
    variant, _created = Variant.objects.get_or_create(
        sku=sku,
        defaults={
            "product": product,
            "face_value": Decimal(face).quantize(PAISE),
            "price": price_for(face, card.off_percent),
            "min_quantity": 1,
            # Big cards in twos; small ones (food, rides) by the handful for office gifting.
            "max_quantity": 2 if face >= 5000 else 10 if face <= 250 else 5,
        },
    )
    if VoucherCode.objects.filter(variant=variant).exists():
        return 0
    rng = random.Random(f"{SEED}:{sku}")  # noqa: S311 - how many, and when they expire
    count = 0 if sku == OUT_OF_STOCK_SKU else LOW_STOCK if sku == LOW_STOCK_SKU else None
    count = rng.randint(*STOCK_RANGE) if count is None else count
    # A brand issues codes in batches that expire together, about a year out.
    expires_on = timezone.localdate() + timedelta(days=365 + rng.randint(0, 45))
    codes = [
        NewCode(
            code=voucher_code(card.code_format),
            pin="".join(secrets.choice(DIGITS) for _ in range(card.pin_digits)),
            expires_on=expires_on,
        )
        for _ in range(count)
    ]
    try:
        inventory.voucher_codes_add(variant=variant, codes=codes)
    except IntegrityError:
        return 0  # a random code clashed with one in stock: the next run fills this one
    return count


def voucher_code(code_format: str) -> str:
    """A random code in the brand's format: "#" a digit, "X" a letter or digit."""
    return "".join(
        secrets.choice(DIGITS)
        if symbol == "#"
        else secrets.choice(CODE_CHARACTERS)
        if symbol == "X"
        else symbol
        for symbol in code_format
    )


# --- Promo codes -------------------------------------------------------------------------------


def _seed_promos(log) -> None:
    now = timezone.now()
    made = []
    for code, kind, value, cap, minimum, per_user, categories, description in PROMOS:
        promo, created = PromoCode.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "value": Decimal(value),
                "max_discount": Decimal(cap) if cap else None,
                "min_order": Decimal(minimum),
                "per_user_limit": per_user,
                "description": description,
                "starts_at": now - timedelta(days=30),
                "ends_at": None if code == "WELCOME10" else now + timedelta(days=90),
            },
        )
        if created:
            promo.categories.set([_category(slug) for slug in categories])
            made.append(code)
    if made:
        log(f"promo codes {', '.join(made)}")


# --- Asha's orders -----------------------------------------------------------------------------


def _seed_orders(log) -> None:
    shopper = User.objects.filter(email="asha@coupzii.test").first()
    if shopper is None:
        return
    if not gateway().is_dev:
        # Razorpay keys are set: the demo would open real gateway orders it can't pay.
        log("orders skipped: the demo pays through the dev gateway, and Razorpay is configured")
        return
    orders = {}
    for spec in ORDERS:
        try:
            orders[spec.key] = _order(spec, shopper)
        except DomainError as refused:
            log(f"{spec.key} skipped: {refused.message} {refused.fields or ''}".rstrip())
    operator = User.objects.filter(email="admin@coupzii.test", is_staff=True).first()
    for spec in ORDERS:
        order = orders.get(spec.key)
        if spec.refund_sku and order and operator:
            _refund(spec, order, operator)
    placed = Order.objects.filter(user=shopper, idempotency_key__startswith="demo-order-")
    states = ", ".join(f"{o.idempotency_key} {o.status}" for o in placed.order_by("pk"))
    log(f"orders for {shopper.email}: {states}")


def _order(spec: DemoOrder, shopper: User) -> Order:
    order = Order.objects.filter(user=shopper, idempotency_key=spec.key).first()
    if order is None:
        order = _place(spec, shopper)
    if order.status != OrderStatus.PENDING_PAYMENT or spec.outcome == "pending":
        return order
    payment = order.payments.order_by("pk").first()
    if spec.outcome == "fulfilled":
        dev = gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=True)
        # The shopper's browser reports the payment, then Razorpay's webhook arrives too
        # (and changes nothing): both show in the admin, as they do live.
        payments.payment_verify(
            user=shopper,
            gateway_order_id=dev.callback["razorpay_order_id"],
            payment_id=dev.callback["razorpay_payment_id"],
            signature=dev.callback["razorpay_signature"],
        )
        _webhook(dev)
    elif spec.outcome == "failed":
        _webhook(gateway().pay(gateway_order_id=payment.gateway_order_id, succeed=False))
    elif spec.outcome == "expired":
        # Demo only: the order was placed before its payment window, which has run out.
        placed = timezone.now() - timedelta(minutes=settings.COMMERCE_PAYMENT_WINDOW_MINUTES + 5)
        window = timedelta(minutes=settings.COMMERCE_PAYMENT_WINDOW_MINUTES)
        Order.objects.filter(pk=order.pk).update(created_at=placed, pay_by=placed + window)
        order.events.update(created_at=placed)
        order_expire(order=order)
    order.refresh_from_db()
    return order


def _place(spec: DemoOrder, shopper: User) -> Order:
    """Fill Asha's cart (whatever was in it goes) and check it out, as the pages do."""
    cart = cart_of_user(shopper)
    cart_empty(cart=cart)
    for sku, quantity in spec.lines:
        cart_line_set(cart=cart, sku=sku, quantity=quantity)
    if spec.promo:
        cart_promo_apply(cart=cart, code=spec.promo, user=shopper)
    cart_use_wallet(cart=cart, use=spec.use_wallet)
    return order_place(
        user=shopper,
        cart=cart,
        email=shopper.email,
        phone=shopper.phone or "",
        idempotency_key=spec.key,
    )


def _webhook(dev: DevPayment) -> None:
    payments.webhook_receive(
        body=dev.webhook_body, signature=dev.webhook_signature, event_id=dev.webhook_event_id
    )


def _refund(spec: DemoOrder, order: Order, operator: User) -> None:
    if order.status != OrderStatus.FULFILLED or order.refunds.exists():
        return
    line = order.lines.filter(variant__sku=spec.refund_sku).first()
    if line is not None:
        order_refund_lines(
            order=order, line_ids=[line.pk], operator=operator, reason=spec.refund_reason
        )


# --- A year of history for the operators' dashboard --------------------------------------------
#
# Gift-card orders the offers demo's history shoppers placed over the year, on days they were
# browsing (a share of their clicks), so orders and revenue follow the same weekly rhythm,
# growth and festive peak; in every status but "awaiting payment" and "paid" (Asha's orders
# show the first; a paid order waits for an operator to fulfil it, which would settle money
# these rows never took). History rows that move no money: no payment, ledger or voucher-code
# rows, which only the services above write.

HISTORY_SEED = 16
HISTORY_KEY_PREFIX = "demo-history-"
# The offers demo's history shoppers (offers.demo.HISTORY_EMAIL_DOMAIN).
HISTORY_EMAIL_DOMAIN = "@shoppers.coupzii.test"
ORDER_SHARE = 0.2  # of the history shoppers' clicks, followed by a gift-card order
# How an order ended, by weight; "partly refunded" is delivered with one line refunded.
OUTCOMES = (("fulfilled", 80), ("failed", 7), ("cancelled", 7), ("refunded", 3), ("partly", 3))
# The gift cards people give most; every other card weighs 1.
CARD_WEIGHT = {"amazon-pay": 6, "flipkart": 5, "myntra": 4, "swiggy": 3, "zomato": 3, "nykaa": 2}


def seed_history(log) -> None:
    """The history's orders (see the section's comment). Idempotent: nothing is written when
    they exist."""
    if Order.objects.filter(idempotency_key__startswith=HISTORY_KEY_PREFIX).exists():
        return
    rng = random.Random(HISTORY_SEED)  # noqa: S311 - demo content, not security
    variants = list(
        Variant.objects.filter(product__is_active=True, is_active=True)
        .select_related("product")
        .order_by("sku")
    )
    # Plain values: only a share of these clicks is followed by an order.
    clicks = list(
        Click.objects.filter(user__email__endswith=HISTORY_EMAIL_DOMAIN)
        .order_by("created_at", "id")
        .values_list("created_at", "user_id", "user__email")
    )
    if not variants or not clicks:
        return
    weights = [
        CARD_WEIGHT.get(v.product.slug, 1) / (1 + float(v.face_value) / 1000) for v in variants
    ]
    placed = [_history_order(rng, n, click, variants, weights) for n, click in _buyers(rng, clicks)]
    placed = [order for order in placed if order is not None]
    Order.objects.bulk_create([order for order, _lines in placed], batch_size=1000)
    for order, lines in placed:
        for line in lines:
            line.order = order
    OrderLine.objects.bulk_create([line for _o, lines in placed for line in lines], batch_size=1000)
    # created_at is set on insert: an order is placed a payment window before it must be paid.
    window = timedelta(minutes=settings.COMMERCE_PAYMENT_WINDOW_MINUTES)
    Order.objects.filter(idempotency_key__startswith=HISTORY_KEY_PREFIX).update(
        created_at=F("pay_by") - window,
        updated_at=Coalesce(F("fulfilled_at"), F("closed_at"), F("pay_by") - window),
    )
    log(f"a year of history: {len(placed)} gift-card orders")


def _buyers(rng, clicks):
    """(order number in the history, click) for the clicks followed by an order."""
    chosen = [click for click in clicks if rng.random() < ORDER_SHARE]
    return enumerate(chosen, start=1)


def _history_order(rng, number, click, variants, weights):
    clicked_at, user_id, email = click
    placed_at = clicked_at + timedelta(minutes=rng.randrange(2, 240))
    window = timedelta(minutes=settings.COMMERCE_PAYMENT_WINDOW_MINUTES)
    now = timezone.now()
    if placed_at + window > now:
        return None  # still inside its payment window: not history yet
    lines = _history_lines(rng, variants, weights)
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal("0.00"))
    discount = Decimal("0.00")
    if rng.random() < 0.2:  # a promo code: 10% off, up to ₹200, on the first line
        discount = min((subtotal * Decimal("0.10")).quantize(PAISE), Decimal("200.00"))
        discount = min(discount, lines[0].unit_price * lines[0].quantity)
        lines[0].discount = discount
    total = subtotal - discount
    outcome = rng.choices([o for o, _w in OUTCOMES], weights=[w for _o, w in OUTCOMES])[0]
    order = Order(
        number="CZ" + "".join(rng.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH)),
        user_id=user_id,
        subtotal=subtotal,
        discount=discount,
        total=total,
        gateway_amount=total,
        email=email,
        idempotency_key=f"{HISTORY_KEY_PREFIX}{number}",
        pay_by=placed_at + window,
    )
    _history_outcome(rng, order, lines, outcome, placed_at)
    return order, lines


def _history_lines(rng, variants, weights) -> list[OrderLine]:
    count = rng.choices((1, 2, 3), weights=(75, 20, 5))[0]
    chosen = {v.pk: v for v in rng.choices(variants, weights=weights, k=count)}.values()
    return [
        OrderLine(
            variant=variant,
            product_name=variant.product.name,
            face_value=variant.face_value,
            unit_price=variant.price,
            quantity=rng.choices((1, 2), weights=(85, 15))[0],
            discount=Decimal("0.00"),
        )
        for variant in chosen
    ]


def _history_outcome(rng, order: Order, lines: list[OrderLine], outcome: str, placed_at) -> None:
    if outcome == "failed":
        order.status, order.closed_at = OrderStatus.FAILED, placed_at + timedelta(minutes=3)
        return
    if outcome == "cancelled":  # never paid: the payment window ran out
        order.status, order.closed_at = OrderStatus.CANCELLED, order.pay_by
        return
    order.paid_at = placed_at + timedelta(minutes=rng.randrange(1, 10))
    order.fulfilled_at = order.paid_at + timedelta(seconds=rng.randrange(5, 60))
    order.status = OrderStatus.FULFILLED
    if outcome == "refunded":
        order.status, order.refunded_amount = OrderStatus.REFUNDED, order.total
    elif outcome == "partly" and len(lines) > 1:
        order.refunded_amount = lines[-1].net_amount
