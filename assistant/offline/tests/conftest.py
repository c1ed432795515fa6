"""A demo-like scene for the offline engine, and a way to ask it a question as a shopper does
(through chat.chat_reply, as the page and the API do).

The scene: the stores of the issue's examples (Myntra, Zomato, Swiggy, Flipkart, Zara, Nykaa)
in their categories; live offers at Myntra (one handing out codes of their own), Zomato and
Swiggy (none at Zara); Asha's locker
(a Swiggy coupon expiring in 3 days, a Nykaa one in 20); her Flipkart cashback, pending; a
Myntra gift card sold below face value; a Zomato listing on the marketplace.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts.tests.factories import UserFactory
from assistant.chat import chat_reply
from assistant.models import Message
from assistant.offline.names import names_forget
from catalog.models import CashbackKind
from catalog.tests.factories import (
    CategoryFactory,
    MerchantFactory,
    ProductFactory,
    VariantFactory,
    stock,
)
from marketplace.tests.factories import ListingFactory, LockerCouponFactory
from offers.models import DiscountType, OfferKind
from offers.tests.books.factories import UniqueCodeOfferFactory, book_with_codes
from offers.tests.factories import ClickFactory, OfferFactory
from wallet.services.cashback import cashback_report
from wallet.tests.factories import sale_for


@pytest.fixture(autouse=True)
def offline(settings):
    """The embedded default: no model endpoint, so the offline engine answers; the catalog's
    names are read afresh for each test's database."""
    settings.OPENAI_API_KEY = ""
    names_forget()
    yield
    names_forget()


@dataclass
class Scene:
    asha: object
    ravi: object
    stores: dict = field(default_factory=dict)
    coupons: dict = field(default_factory=dict)
    offers: dict = field(default_factory=dict)


@pytest.fixture
def scene(db) -> Scene:
    fashion = CategoryFactory(name="Fashion", slug="fashion", name_hi="फ़ैशन")
    food = CategoryFactory(name="Food & Dining", slug="food-dining", name_hi="खाना और रेस्टोरेंट")
    electronics = CategoryFactory(name="Electronics", slug="electronics")
    beauty = CategoryFactory(name="Beauty & Personal Care", slug="beauty")
    stores = {
        "myntra": MerchantFactory(name="Myntra", slug="myntra", categories=[fashion]),
        "zara": MerchantFactory(
            name="Zara", slug="zara", categories=[fashion], cashback_value=Decimal("4.00")
        ),
        "zomato": MerchantFactory(
            name="Zomato",
            slug="zomato",
            categories=[food],
            cashback_kind=CashbackKind.FLAT,
            cashback_value=Decimal("35.00"),
        ),
        "swiggy": MerchantFactory(
            name="Swiggy",
            slug="swiggy",
            categories=[food],
            cashback_kind=CashbackKind.FLAT,
            cashback_value=Decimal("40.00"),
        ),
        "flipkart": MerchantFactory(
            name="Flipkart", slug="flipkart", categories=[electronics], confirmation_days=60
        ),
        "nykaa": MerchantFactory(name="Nykaa", slug="nykaa", categories=[beauty]),
    }
    offers = {
        "myntra_code": OfferFactory(
            merchant=stores["myntra"],
            kind=OfferKind.CODE,
            code="MYNTRA300",
            title="₹300 off on ₹1,999",
            discount_type=DiscountType.FIXED,
            discount_value=Decimal("300.00"),
            min_order=Decimal("1999.00"),
        ),
        "myntra_deal": OfferFactory(
            merchant=stores["myntra"], title="End of season sale: 40% off", discount_value=40
        ),
        "zomato_code": OfferFactory(
            merchant=stores["zomato"],
            kind=OfferKind.CODE,
            code="ZOMFEAST60",
            title="60% off your first two orders",
            discount_value=Decimal("60.00"),
            max_discount=Decimal("120.00"),
        ),
        "swiggy_deal": OfferFactory(merchant=stores["swiggy"], title="Free delivery weekend"),
        "myntra_welcome": UniqueCodeOfferFactory(
            merchant=stores["myntra"],
            title="Flat ₹150 off your first order",
            discount_value=Decimal("150.00"),
        ),
    }
    # Codes of its own for each shopper who claims one.
    book_with_codes(2, offer=offers["myntra_welcome"])
    asha = UserFactory(full_name="Asha Verma", email="asha@example.in")
    ravi = UserFactory(full_name="Ravi Kumar", email="ravi@example.in")
    today = timezone.localdate()
    coupons = {
        "swiggy": LockerCouponFactory(
            owner=asha,
            merchant=stores["swiggy"],
            code="SWIGGY100NOW",
            benefit_value=Decimal("100.00"),
            worth=Decimal("100.00"),
            min_order=Decimal("399.00"),
            expires_on=today + timedelta(days=3),
        ),
        "nykaa": LockerCouponFactory(
            owner=asha,
            merchant=stores["nykaa"],
            code="NYKGLOW20",
            worth=Decimal("250.00"),
            expires_on=today + timedelta(days=20),
        ),
        "ravi_zomato": LockerCouponFactory(
            owner=ravi, merchant=stores["zomato"], code="ZOMRAVI120", worth=Decimal("120.00")
        ),
    }
    ListingFactory(
        coupon__owner=ravi,
        coupon__merchant=stores["zomato"],
        coupon__code="ZOMSELL150",
        coupon__worth=Decimal("150.00"),
        price=Decimal("90.00"),
        fee=Decimal("4.50"),
        swap_welcome=True,
    )
    # Asha shopped at Flipkart through Coupzii: the network reported the sale, not yet confirmed.
    click = ClickFactory(
        user=asha,
        offer__merchant=stores["flipkart"],
        created_at=timezone.now() - timedelta(days=5),
    )
    cashback_report(sale=sale_for(click, sale_amount="5499.00", commission="220.00"))
    # A Myntra gift card sold below face value.
    card = ProductFactory(merchant=stores["myntra"], category=fashion, name="Myntra Gift Card")
    variant = VariantFactory(
        product=card, sku="myntra-1000", face_value=Decimal("1000.00"), price=Decimal("960.00")
    )
    stock(variant, 3)
    return Scene(asha=asha, ravi=ravi, stores=stores, coupons=coupons, offers=offers)


@dataclass
class Answer:
    """What the shopper got for one message."""

    events: list[dict]

    @property
    def text(self) -> str:
        replaced = [event["text"] for event in self.events if event["type"] == "replace"]
        if replaced:
            return replaced[-1]
        return "".join(event["delta"] for event in self.events if event["type"] == "text")

    @property
    def replaced(self) -> bool:
        return any(event["type"] == "replace" for event in self.events)

    @property
    def cards(self) -> list[dict]:
        return [
            card for event in self.events if event["type"] == "cards" for card in event["cards"]
        ]

    @property
    def card_types(self) -> set[str]:
        return {card["type"] for card in self.cards}

    @property
    def engine(self) -> str:
        return next(event["engine"] for event in self.events if event["type"] == "done")

    @property
    def text_pieces(self) -> int:
        return sum(1 for event in self.events if event["type"] == "text")


def ask(user, message: str, *, language: str = "en", context=None, conversation=None) -> Answer:
    """Ask as `user` would on the page, in `language`; every event of the turn, in order."""
    with translation.override(language):
        events = list(
            chat_reply(user=user, message=message, conversation=conversation, context=context)
        )
    return Answer(events=events)


def latest_calls(user) -> list[dict]:
    """The tool calls of `user`'s latest answer as stored: name, arguments, result data."""
    message = (
        Message.objects.filter(conversation__owner=user, role="assistant").order_by("-id").first()
    )
    return message.tool_calls


def tool_names(user) -> list[str]:
    """The tools called in `user`'s latest answer, in order."""
    return [call["name"] for call in latest_calls(user)]
