"""Journeys: a shopper adds a coupon from a screenshot (read by the Celery worker), corrects and
saves it, lists it for sale; a second shopper buys it through the dev gateway and sees the code;
the seller is paid once the dispute window ends. And a swap, from the request to the accept.
On a phone and a laptop."""

import io
import re
import uuid
from datetime import date, timedelta

from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import expect

from .conftest import DEVICES, assert_fits_the_screen, snapshot
from .test_wallet import new_user, shell, sign_in

STORE = "Nykaa"  # a store of the demo catalog
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def a_code() -> str:
    """A fresh code per run (each device's journey lists its own): letters a reader can't
    confuse, as stores' generators use."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ"
    number = uuid.uuid4().int
    return "GLOW" + "".join(alphabet[(number >> (5 * i)) % len(alphabet)] for i in range(4)) + "25"


def coupon_png(*, store: str, code: str, expires_on: date) -> bytes:
    """A clear coupon card, as a shopper's screenshot of a store's app would show it."""
    image = Image.new("RGB", (720, 720), "#ffffff")
    draw = ImageDraw.Draw(image)
    lines = (
        (store, 48),
        ("Flat Rs 200 OFF", 34),
        ("on orders above Rs 999", 28),
        (f"Valid till {expires_on:%d %b %Y}", 28),
        (f"Use code {code}", 34),
    )
    y = 50
    for text, points in lines:
        draw.text((40, y), text, font=ImageFont.truetype(FONT, points), fill="#111111")
        y += int(points * 2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def second_shopper(browser, live_url, device: str):
    context = browser.new_context(base_url=live_url, locale="en-IN", **DEVICES[device])
    context.set_default_timeout(30_000)
    other = context.new_page()
    other.device = device
    return context, other


def end_window_and_release(live_env, number: str) -> str:
    """What time and beat do: the purchase's dispute window ends, then the release task runs."""
    return shell(
        live_env,
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from marketplace.models import Purchase\n"
        "from marketplace.purchases.services import purchases_release_due\n"
        f"Purchase.objects.filter(number={number!r}).update("
        "window_ends_at=timezone.now() - timedelta(seconds=1))\n"
        "print(purchases_release_due())\n",
    )


def test_a_screenshot_coupon_is_listed_bought_through_the_dev_gateway_and_paid_out(
    page, browser, live_url, live_env
):
    # given two shoppers
    seller, _ = new_user(live_env, staff=False)
    buyer, _ = new_user(live_env, staff=False)
    code = a_code()
    expires_on = date.today() + timedelta(days=60)

    # when the seller uploads a screenshot of a coupon
    sign_in(page, seller)
    page.goto("/locker/scans/new/")
    assert_fits_the_screen(page)
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "coupon.png",
                "mimeType": "image/png",
                "buffer": coupon_png(store=STORE, code=code, expires_on=expires_on),
            }
        ]
    )
    page.get_by_role("button", name="Read the screenshot").click()
    expect(page).to_have_url(re.compile(r"/locker/scans/[0-9a-f-]{36}/"))

    # then the worker reads it and the page (refreshing itself) shows what it found
    review = page.get_by_test_id("scan-review")
    expect(review).to_be_visible(timeout=90_000)
    expect(page.get_by_label("Code", exact=True)).to_have_value(code)
    expect(page.get_by_label(re.compile(r"^Store"))).to_have_value(STORE)
    assert_fits_the_screen(page)
    snapshot(page, "market-scan-review")

    # when they correct what it gives and save it
    page.get_by_label("Rupees off").check()
    page.get_by_label(re.compile(r"^Value")).fill("200")
    page.get_by_label(re.compile(r"^Minimum order")).fill("999")
    page.get_by_label(re.compile(r"^Expires on")).fill(expires_on.isoformat())
    page.get_by_label(re.compile(r"^Notes")).fill("From the Nykaa app.")
    page.get_by_role("button", name="Save to my locker").click()

    # then it is in their locker with its code
    expect(page).to_have_url(re.compile(r"/locker/[0-9a-f-]{36}/"))
    expect(page.get_by_test_id("locker-code")).to_have_text(code)

    # when they list it for ₹120, seeing the fee and their payout first
    page.get_by_role("link", name="Sell", exact=True).click()
    page.get_by_label("Your price (₹)").fill("120")
    page.get_by_role("button", name="Update", exact=True).click()
    expect(page.get_by_test_id("payout")).to_contain_text("114.00")
    assert_fits_the_screen(page)
    page.get_by_role("button", name="List it").click()
    expect(page).to_have_url(re.compile(r"/marketplace/[0-9a-f-]{36}/"))
    listing_url = page.url
    expect(page.get_by_test_id("listing-price")).to_contain_text("120.00")
    assert code not in page.content()  # hidden until sold

    # and another shopper buys it through the dev gateway
    context, other = second_shopper(browser, live_url, page.device)
    try:
        sign_in(other, buyer)
        other.goto(listing_url)
        assert code not in other.content()
        other.get_by_label("Card, UPI or netbanking").check()
        other.get_by_role("button", name=re.compile("Buy for")).click()
        expect(other.get_by_test_id("dev-gateway")).to_be_visible()
        other.get_by_test_id("dev-pay").click()

        # then the buyer sees the code on the purchase page
        expect(other).to_have_url(re.compile(r"/marketplace/purchases/MP-[0-9A-Z]+/"))
        number = re.search(r"/purchases/(MP-[0-9A-Z]+)/", other.url).group(1)
        expect(other.get_by_test_id("purchase-code")).to_have_text(code)
        expect(other.get_by_test_id("purchase-status")).to_have_text("Paid, in the dispute window")
        assert_fits_the_screen(other)
        snapshot(other, "market-purchase")
    finally:
        context.close()

    # when the dispute window ends and the release runs
    assert end_window_and_release(live_env, number).strip().splitlines()[-1] == "1"

    # then the seller sees the sale completed and ₹114 in their wallet
    page.goto(f"/marketplace/purchases/{number}/")
    expect(page.get_by_test_id("purchase-status")).to_have_text("Completed")
    expect(page.get_by_test_id("payout")).to_contain_text("114.00")
    page.goto("/wallet/")
    expect(page.get_by_test_id("balance-available")).to_contain_text("114.00")


def add_coupon(live_env, email: str, *, code: str, store: str, list_it: bool) -> None:
    """A coupon in the shopper's locker (listed for sale, swaps welcome, if `list_it`)."""
    shell(
        live_env,
        "from datetime import timedelta\n"
        "from decimal import Decimal\n"
        "from django.utils import timezone\n"
        "from accounts.models import User\n"
        "from catalog.models import Merchant\n"
        "from marketplace.listings.services import listing_create\n"
        "from marketplace.locker.services import locker_coupon_add\n"
        f"u = User.objects.get(email={email!r})\n"
        f"c = locker_coupon_add(owner=u, code={code!r}, source='manual', benefit='fixed',"
        f" merchant=Merchant.objects.get(slug={store!r}), benefit_value=Decimal('150'),"
        " expires_on=timezone.localdate() + timedelta(days=30))\n"
        + (
            "listing_create(seller=u, coupon=c, price=Decimal('90'), swap_welcome=True)\n"
            if list_it
            else ""
        ),
    )


def test_a_swap_goes_from_request_to_accept(page, browser, live_url, live_env):
    # given a shopper whose BookMyShow coupon is listed with swaps welcome, and another shopper
    # with a Zomato coupon
    owner, _ = new_user(live_env, staff=False)
    asker, _ = new_user(live_env, staff=False)
    theirs, mine = a_code(), a_code()
    add_coupon(live_env, owner, code=theirs, store="bookmyshow", list_it=True)
    add_coupon(live_env, asker, code=mine, store="zomato", list_it=False)

    # when the second shopper finds the listing and offers their coupon for it
    sign_in(page, asker)
    page.goto("/marketplace/?store=bookmyshow")
    page.get_by_test_id("listing-card").first.click()
    page.get_by_role("link", name="Offer a swap").click()
    page.get_by_label(re.compile("Zomato")).check()
    page.get_by_label("Message (optional)").fill("Zomato for your movie coupon?")
    assert_fits_the_screen(page)
    page.get_by_role("button", name="Send swap offer").click()
    expect(page).to_have_url(re.compile(r"/marketplace/swaps/[0-9a-f-]{36}/"))
    swap_url = page.url
    expect(page.get_by_text("Waiting for an answer").first).to_be_visible()

    # and the owner accepts it
    context, other = second_shopper(browser, live_url, page.device)
    try:
        sign_in(other, owner)
        other.goto(swap_url)
        expect(other.get_by_text("Zomato for your movie coupon?")).to_be_visible()
        assert_fits_the_screen(other)
        other.get_by_role("button", name="Accept swap").click()
        expect(other.get_by_text("Accepted").first).to_be_visible()
        # then the owner holds the Zomato code now
        other.goto("/locker/?source=swapped")
        other.get_by_test_id("locker-row").first.click()
        expect(other.get_by_test_id("locker-code")).to_have_text(mine)
    finally:
        context.close()

    # and the asker holds the BookMyShow code
    page.goto("/locker/?source=swapped")
    page.get_by_test_id("locker-row").first.click()
    expect(page.get_by_test_id("locker-code")).to_have_text(theirs)
    snapshot(page, "market-swapped")
