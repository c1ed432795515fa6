"""The reader: text rules (codes, dates, benefits, amounts, stores) on words as OCR gives
them, and whole screenshots through zxing-cpp and Tesseract."""

import io
from datetime import date

import pytest
from PIL import Image, ImageDraw, ImageFont

from marketplace.scan.reader import Store, UnreadableImage, read_screenshot
from marketplace.scan.reader.parse import (
    MAX_DISCOUNT,
    MIN_ORDER,
    Line,
    Word,
    amount_find,
    benefit_find,
    code_candidates,
    code_plausible,
    expiry_find,
    store_find,
)

from .screens import FONT_ROOT, coupon_screenshot

TODAY = date(2026, 12, 7)
STORES = [
    Store("Myntra", "myntra.com"),
    Store("Tata CLiQ", "tatacliq.com"),
    Store("Tata 1mg", "1mg.com"),
    Store("KFC", "online.kfc.co.in"),
    Store("MakeMyTrip", "makemytrip.com"),
    Store("AJIO", "ajio.com"),
]


def lines(*texts: str, confidence: float = 0.95) -> list[Line]:
    return [Line([Word(word, confidence, 30) for word in text.split()]) for text in texts]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Valid till 31/12/2026", "2026-12-31"),
        ("Expires on 31 Dec 2026", "2026-12-31"),
        ("valid until December 31, 2026", "2026-12-31"),
        ("Offer ends Dec 31", "2026-12-31"),
        ("Use before 5th Jan", "2027-01-05"),
        ("Expiry: 05-01-2027", "2027-01-05"),
        ("Valid thru 2027-03-09", "2027-03-09"),
        ("Valid till 31.12.26", "2026-12-31"),
    ],
)
def test_expiry_dates_in_the_formats_stores_write(text, expected):
    assert expiry_find(text, today=TODAY).value == expected


def test_the_expiry_is_the_date_after_valid_till_not_the_first_date():
    found = expiry_find("Issued 01/11/2026. Valid till 15 Jan 2027", today=TODAY)
    assert found.value == "2027-01-15"


@pytest.mark.parametrize(
    "text, benefit, value",
    [
        ("Get 20% OFF up to ₹150", "percent", "20.00"),
        ("Flat ₹200 off on fashion", "fixed", "200.00"),
        ("Save Rs. 150 off", "fixed", "150.00"),
        ("Buy 1 Get 1 free", "bogo", None),
        ("BOGO on pizzas", "bogo", None),
        ("Free shipping on your order", "free_shipping", None),
    ],
)
def test_what_the_coupon_gives(text, benefit, value):
    found, found_value = benefit_find(text)
    assert found.value == benefit
    assert (found_value.value if found_value else None) == value


def test_minimum_order_and_maximum_discount():
    text = "20% off. Min order ₹999. Max discount ₹150"
    assert amount_find(MIN_ORDER, text).value == "999.00"
    assert amount_find(MAX_DISCOUNT, text).value == "150.00"
    assert amount_find(MIN_ORDER, "On orders above Rs. 1,499").value == "1499.00"
    assert amount_find(MAX_DISCOUNT, "10% off up to ₹300").value == "300.00"


@pytest.mark.parametrize(
    "text",
    [
        "₹250 off on ₹1499",
        "¥250 off on ¥1499",
        "%250 off on %1499",
        "=250 off on 1499",
        "~250 off on #1499",
        "0250 off on 1499",
        "Myntra Use code SAVE250 %250 off on %1499 Valid till 31 Dec 2026",
    ],
)
def test_an_amount_off_after_a_rupee_or_its_misreading_is_a_fixed_discount(text):
    benefit, value = benefit_find(text)
    assert (benefit.value, value.value) == ("fixed", "250.00")
    assert amount_find(MIN_ORDER, text).value == "1499.00"


def test_a_lone_misread_rupee_before_an_amount_off_is_a_fixed_discount():
    benefit, value = benefit_find("=250 off")
    assert (benefit.value, value.value) == ("fixed", "250.00")
    assert amount_find(MIN_ORDER, "=250 off") is None


def test_a_guessed_rupee_sign_is_less_sure_than_a_read_one():
    read_benefit, read_value = benefit_find("₹250 off on ₹1499")
    guessed_benefit, guessed_value = benefit_find("%250 off on %1499")
    assert guessed_benefit.confidence < read_benefit.confidence
    assert guessed_value.confidence < read_value.confidence < 0.85
    read_minimum = amount_find(MIN_ORDER, "₹250 off on ₹1499")
    guessed_minimum = amount_find(MIN_ORDER, "¥250 off on ¥1499")
    assert guessed_minimum.confidence < read_minimum.confidence


@pytest.mark.parametrize(
    "text, percent",
    [("20% off on fashion", "20.00"), ("Flat 25% off", "25.00"), ("Extra 10 % OFF", "10.00")],
)
def test_a_percent_sign_right_after_the_number_is_a_percentage(text, percent):
    benefit, value = benefit_find(text)
    assert (benefit.value, value.value) == ("percent", percent)


def test_a_code_ending_in_digits_before_a_misread_rupee_is_not_a_percentage():
    benefit, value = benefit_find("Use code SAVE250 %250 off")
    assert (benefit.value, value.value) == ("fixed", "250.00")


@pytest.mark.parametrize(
    "text",
    [
        "₹250 off on ₹1499",
        "₹250 off on orders above ₹1499",
        "₹250 off on orders over Rs. 1,499",
        "₹250 off on orders of ₹1499",
        "₹250 off. min. order ₹1499",
        "₹250 off, minimum purchase ₹1499",
        "₹250 off on 1499",
    ],
)
def test_the_minimum_order_in_the_ways_stores_write_it(text):
    assert amount_find(MIN_ORDER, text).value == "1499.00"


@pytest.mark.parametrize(
    "text", ["20% off on fashion", "Offer valid on 31 Dec 2026", "Valid on 2026-12-31"]
)
def test_on_before_a_date_or_a_word_is_no_minimum_order(text):
    assert amount_find(MIN_ORDER, text) is None


def test_the_code_is_the_token_near_code_not_a_price_date_or_store():
    seen = lines("MYNTRA", "Flat 200 OFF", "Use code SAVE20", "Valid till 31/12/2026 RS500")
    best = code_candidates(seen, store_words={"myntra"})[0]
    assert best.value == "SAVE20"
    assert best.confidence > 0.8


def test_a_lone_capitalised_word_is_a_code_with_less_confidence():
    hinted = code_candidates(lines("Coupon code", "WELCOME50"), store_words=set())[0]
    lone = code_candidates(lines("WELCOME50"), store_words=set())[0]
    assert hinted.value == lone.value == "WELCOME50"
    assert lone.confidence < hinted.confidence


def test_an_o_read_inside_a_number_is_a_zero():
    assert code_candidates(lines("Use code FLAT5O"), store_words=set())[0].value == "FLAT50"


def test_qr_contents_that_are_codes_and_links_that_carry_one():
    assert code_plausible("save20") == "SAVE20"
    assert code_plausible("https://shop.example/apply?coupon=FEST500&x=1") == "FEST500"
    assert code_plausible("https://shop.example/sale") is None
    assert code_plausible("8901234567890") is None  # a product's barcode


def test_stores_exactly_split_joined_and_nearly():
    assert store_find(lines("Tata CLIQ", "Flat 200 off"), STORES).value == "Tata CLiQ"
    assert store_find(lines("KF C", "Use code X"), STORES).value == "KFC"
    assert store_find(lines("Make MyTrip"), STORES).value == "MakeMyTrip"
    assert store_find(lines("Myntre", "sale"), STORES).value == "Myntra"
    assert store_find(lines("shop at www.myntra.com"), STORES).value == "Myntra"
    assert store_find(lines("Nothing here"), STORES) is None


def test_a_screenshot_is_read_into_fields_with_confidences():
    png = coupon_screenshot(
        store="Myntra",
        code="FEST250",
        lines=("Flat ₹250 off", "Min order ₹999", "Valid till 31/12/2027"),
    )
    reading = read_screenshot(png, stores=STORES, today=TODAY)
    assert reading.fields["code"]["value"] == "FEST250"
    assert reading.fields["store"]["value"] == "Myntra"
    assert reading.fields["benefit"]["value"] == "fixed"
    assert reading.fields["expires_on"]["value"] == "2027-12-31"
    assert all(0 <= item["confidence"] <= 1 for item in reading.fields.values())


def test_dark_mode_screenshots_are_read():
    png = coupon_screenshot(store="AJIO", code="NEW500", lines=("20% OFF",), dark=True)
    reading = read_screenshot(png, stores=STORES, today=TODAY)
    assert reading.fields["code"]["value"] == "NEW500"
    assert reading.fields["store"]["value"] == "AJIO"


def test_a_qr_code_wins_with_high_confidence():
    png = coupon_screenshot(store="Myntra", code="QR7X9K2M", lines=("Scan me",), qr=True)
    reading = read_screenshot(png, stores=STORES, today=TODAY)
    assert reading.fields["code"] == {"value": "QR7X9K2M", "confidence": 0.99}


def test_bytes_that_are_not_an_image_are_refused():
    with pytest.raises(UnreadableImage):
        read_screenshot(b"not an image", stores=STORES, today=TODAY)


def test_the_users_rupee_screenshot_is_read_as_rupees_off_with_a_minimum_order():
    # given the screenshot from issue 14's report, drawn in a font whose ₹ Tesseract reads as %
    face = FONT_ROOT / "dejavu" / "DejaVuSans-Bold.ttf"
    if not face.exists():
        pytest.skip("DejaVu Sans Bold is not installed")
    image = Image.new("RGB", (720, 420), "white")
    draw = ImageDraw.Draw(image)
    texts = ("Myntra", "Use code SAVE250", "₹250 off on ₹1499", "Valid till 31 Dec 2026")
    font = ImageFont.truetype(str(face), 28)
    for number, text in enumerate(texts):
        draw.text((40, 40 + 56 * number), text, font=font, fill="black")
    png = io.BytesIO()
    image.save(png, format="PNG")

    # when it is read
    fields = read_screenshot(png.getvalue(), stores=STORES, today=TODAY).fields

    # then
    values = {name: item["value"] for name, item in fields.items()}
    assert values["benefit"] == "fixed"
    assert values["benefit_value"] == "250.00"
    assert values["min_order"] == "1499.00"
    assert values["code"] == "SAVE250"
    assert values["store"] == "Myntra"
    assert values["expires_on"] == "2026-12-31"
