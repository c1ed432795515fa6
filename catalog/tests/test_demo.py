"""Demo data (`manage.py seed_demo`): the catalog's categories and merchants with generated
logos, and the offers on them; idempotent and the same on every run."""

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.validators import URLValidator
from django.utils import timezone

from catalog import demo as catalog_demo
from catalog import logos
from catalog import selectors as catalog_selectors
from catalog.models import CashbackKind, Category, Merchant, validate_tracking_template
from coupzii.core.money import format_inr
from offers import demo as offers_demo
from offers.models import DiscountType, Offer, OfferKind, OfferStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo")


def test_seeding_twice_adds_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (Category.objects.count(), Merchant.objects.count(), Offer.objects.count())
    offer_ids = set(Offer.objects.values_list("public_id", flat=True))

    call_command("seed_demo")

    assert (Category.objects.count(), Merchant.objects.count(), Offer.objects.count()) == counts
    assert set(Offer.objects.values_list("public_id", flat=True)) == offer_ids


def test_demo_has_about_sixty_merchants_in_about_ten_categories(seeded):
    top_level = Category.objects.filter(parent__isnull=True)

    assert Merchant.objects.count() == len(catalog_demo.MERCHANTS) >= 60
    assert 10 <= top_level.count() <= 12
    assert Category.objects.filter(parent__isnull=False).exists()  # a few sub-categories
    assert not Merchant.objects.filter(categories__isnull=True).exists()
    assert Merchant.objects.filter(is_active=False).count() == 1  # Jabong, closed


def test_every_merchant_has_a_generated_svg_logo_in_storage(seeded):
    for merchant in Merchant.objects.all():
        assert merchant.logo.name == f"merchant-logos/{merchant.slug}.svg"
        with default_storage.open(merchant.logo.name) as logo:
            svg = logo.read().decode()
        assert svg.startswith("<svg")
        assert f'fill="{merchant.brand_color}"' in svg
        assert f">{logos.initials(merchant.name)}</text>" in svg


def test_every_merchant_has_a_valid_tracking_template_and_realistic_cashback(seeded):
    for merchant in Merchant.objects.all():
        merchant.full_clean()
        validate_tracking_template(merchant.tracking_url_template)
        URLValidator()(merchant.tracking_url_template.replace("{click_id}", "x"))
        assert merchant.tracking_url_template.startswith(
            f"https://track.coupzii.test/{merchant.affiliate_network}/{merchant.slug}?sub={{click_id}}&url=https%3A%2F%2F"
        )
        if merchant.cashback_kind == CashbackKind.PERCENT:
            assert Decimal("1") <= merchant.cashback_value <= Decimal("12")
        elif merchant.cashback_kind == CashbackKind.FLAT:
            assert Decimal("25") <= merchant.cashback_value <= Decimal("500")
            assert merchant.cashback_terms
        assert merchant.confirmation_days > 0


def test_demo_has_about_four_hundred_offers_of_every_kind_and_discount_type(seeded):
    offers = Offer.objects.all()
    kinds = Counter(offers.values_list("kind", flat=True))
    discount_types = Counter(offers.values_list("discount_type", flat=True))
    statuses = Counter(offers.values_list("status", flat=True))

    assert 350 <= offers.count() <= 450
    assert set(kinds) == set(OfferKind.values)
    assert set(discount_types) == set(DiscountType.values)
    assert statuses[OfferStatus.PAUSED] >= 5
    assert statuses[OfferStatus.EXPIRED] >= 5
    assert offers.filter(exclusive=True).exists()
    assert offers.filter(featured=True).exists()
    assert offers.filter(verified=True).exists()
    assert offers.exclude(cashback_kind="").exists()  # a few boosted rates


def test_demo_offers_are_valid_and_their_titles_match_their_discounts(seeded):
    for offer in Offer.objects.select_related("merchant"):
        offer.full_clean()
    # The catalog's own demo titles are written from the offers' figures; the demo brands
    # title theirs as a brand would.
    for offer in Offer.objects.filter(brand_link__isnull=True):
        if offer.kind == OfferKind.CODE:
            assert offer.code
        else:
            assert not offer.code
        if offer.discount_type == DiscountType.PERCENTAGE:
            assert f"{offer.discount_value.normalize():f}%" in offer.title
        elif offer.discount_type == DiscountType.FIXED:
            assert format_inr(offer.discount_value) in offer.title
        else:
            assert offer.discount_value is None
        if offer.min_order and "{min}" not in offer.title:
            assert format_inr(offer.min_order) in offer.title + offer.description
        if offer.max_discount and offer.discount_type == DiscountType.PERCENTAGE:
            assert format_inr(offer.max_discount) in offer.title


def test_demo_offer_dates_run_from_the_past_to_sixty_days_out(seeded):
    now = timezone.now()
    live = Offer.objects.filter(status=OfferStatus.ACTIVE)

    assert not Offer.objects.filter(starts_at__gt=now).exists()
    assert live.filter(ends_at__isnull=True).count() >= 20
    assert live.filter(ends_at__gt=now, ends_at__lte=now + timedelta(days=3)).count() >= 10
    assert not live.filter(ends_at__gt=now + timedelta(days=61)).exists()
    assert not Offer.objects.filter(status=OfferStatus.EXPIRED, ends_at__gt=now).exists()


def test_demo_gives_every_live_unique_code_offer_a_book_to_claim_from(seeded):
    from accounts.tests.factories import UserFactory
    from offers import books
    from offers import selectors as offer_selectors
    from offers.models import CouponBook

    # given the demo's live unique-code offers, as the offers page lists them
    live_unique = list(offer_selectors.offers_list(kind=OfferKind.UNIQUE_CODE))
    shopper = UserFactory()

    # then there are a couple of dozen, every one claimable, and a claim hands out a code
    assert len(live_unique) >= 20
    assert all(offer.claimable for offer in live_unique)
    for offer in live_unique:
        assert books.code_claim(offer_or_book=offer, user=shopper).holder == shopper
    sizes = {book.name: book.codes.count() for book in CouponBook.objects.all()}
    assert sizes["Launch week codes"] == 500 and sizes["Festive single-use codes"] == 300


def test_demo_offers_are_the_same_on_every_run():
    merchants = [
        Merchant(id=number, slug=row[1], name=row[0], is_active=True, cashback_value=Decimal(5))
        for number, row in enumerate(catalog_demo.MERCHANTS)
    ]
    now = timezone.now()

    first = offers_demo.build(merchants, {}, now)
    second = offers_demo.build(merchants, {}, now)

    assert [(o.public_id, o.title, o.code) for o in first] == [
        (o.public_id, o.title, o.code) for o in second
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Tata CLiQ", "TC"),
        ("Myntra", "My"),
        ("The Souled Store", "SS"),
        ("Booking.com", "Bo"),
        ("Domino's", "Do"),
        ("1mg", "1m"),
        ("", "?"),
    ],
)
def test_logo_initials(name, expected):
    assert logos.initials(name) == expected


def test_logo_text_is_white_on_dark_colours_and_dark_on_light_ones():
    assert logos.text_colour_for("#1428a0") == logos.LIGHT_TEXT  # Samsung blue
    assert logos.text_colour_for("#f8cb46") == logos.DARK_TEXT  # Blinkit yellow
    assert logos.text_colour_for("not a colour") == logos.LIGHT_TEXT


def test_logo_svg_escapes_the_name():
    svg = logos.logo_svg('A "quoted" <brand>', "#000000")

    assert "<brand>" not in svg
    assert 'aria-label="A &quot;quoted&quot; &lt;brand&gt;"' in svg


def test_the_readme_counts_what_the_site_shows(seeded):
    from django.conf import settings

    from offers import selectors as offer_selectors

    readme = " ".join((settings.BASE_DIR / "README.md").read_text().split())
    stated = re.search(
        r"The demo catalog has (\d+) well-known Indian stores .*? in (\d+) categories and "
        r"(\d+) offers of every kind\. The site lists (\d+) stores and (\d+) live offers",
        readme,
    )
    live_unique = re.search(r"Each of the (\d+) live unique-code offers has a book", readme)

    assert stated and live_unique, "the README no longer states the demo's counts"
    assert [int(number) for number in stated.groups()] == [
        Merchant.objects.count(),
        Category.objects.count(),
        Offer.objects.count(),
        catalog_selectors.merchants_list().count(),
        offer_selectors.offers_list().count(),
    ]
    assert int(live_unique[1]) == offer_selectors.offers_list(kind=OfferKind.UNIQUE_CODE).count()
