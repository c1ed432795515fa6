"""Journey: what a new shopper tripped over (issue 11, items 3 to 6 and 10), as the demo
shopper on a phone and a laptop, in English and then in Hindi: the wallet's statement, the
referral board and link, a partly refunded order, a failed order tried again, switching language
after a form error, the favicon and the site's own 404 page."""

import re

from playwright.sync_api import expect

from .conftest import assert_fits_the_screen, snapshot

SHOPPER = "asha@coupzii.test"
SHOPPER_PASSWORD = "coupzii-shopper-demo"


def sign_in(page) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(SHOPPER)
    page.locator("input[name=password]").fill(SHOPPER_PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def switch_language(page, name: str, code: str) -> None:
    # The footer's switcher is on every page, on a phone too (no menu to open).
    page.locator("footer").get_by_role("button", name=name).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def order_link(page, status: str):
    """The first order in the list whose status pill reads `status`."""
    return (
        page.get_by_test_id("order-row")
        .filter(has=page.get_by_test_id("order-status").get_by_text(status, exact=True))
        .first
    )


def test_the_wallet_referrals_and_orders_say_what_happened(page, live_url):
    sign_in(page)

    # the wallet's statement: one line per event, with its effect on each balance and a link
    page.goto("/wallet/")
    lines = page.get_by_test_id("statement-line")
    expect(lines.first).to_be_visible()
    main = page.locator("main")
    expect(main).not_to_contain_text("In withdrawals")
    expect(main).not_to_contain_text("cuelinks")
    spent = lines.filter(has_text="Wallet spent on an order").first
    expect(spent.get_by_role("link", name=re.compile(r"^Order "))).to_have_attribute(
        "href", re.compile(r"^/orders/[A-Z0-9]+/$")
    )
    expect(lines.filter(has_text="Cashback confirmed").first).to_contain_text("Available")
    assert_fits_the_screen(page)
    snapshot(page, "trips-wallet-statement")

    # the referral board agrees with the page: Asha earned a bonus this month and is on it,
    # and her link uses the address she is on
    page.goto("/referrals/")
    expect(page.locator(".cz-you")).to_be_visible()
    share = page.locator("input[value*='/accounts/signup/?ref=']").first
    expect(share).to_have_value(re.compile("^" + re.escape(live_url) + "/accounts/signup/"))
    assert_fits_the_screen(page)
    snapshot(page, "trips-referrals")

    # a partly refunded order says so, in the list, on its page and in its timeline
    page.goto("/orders/")
    expect(page.get_by_test_id("order-status").get_by_text("Partly refunded")).to_have_count(1)
    order_link(page, "Partly refunded").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Partly refunded")
    expect(page.locator(".cz-timeline li").last).to_contain_text("Refunded")
    assert_fits_the_screen(page)
    snapshot(page, "trips-partly-refunded-order")

    # a failed order can be tried again: its card goes back in the cart, ready to check out
    page.goto("/orders/")
    order_link(page, "Payment failed").click()
    page.get_by_test_id("order-retry").click()
    expect(page).to_have_url(re.compile("/cart/"))
    expect(page.locator("main")).to_contain_text("are back in your cart")
    expect(page.get_by_test_id("cart-line").filter(has_text="AJIO")).to_have_count(1)
    assert_fits_the_screen(page)
    snapshot(page, "trips-try-again-cart")

    # a wrong promo code, then a language switch there: the cart in Hindi, not a blank 405
    page.locator("#id_code").fill("NOSUCHCODE")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#id_code")).to_have_class(re.compile("is-invalid"))
    switch_language(page, "हिंदी", "hi")
    expect(page).to_have_url(re.compile(r"/cart/(#promo)?$"))
    expect(page.get_by_test_id("cart-line").first).to_be_visible()
    snapshot(page, "trips-cart-after-switch-hindi")

    # in Hindi: the wallet, a refused withdrawal and a switch back to English
    page.goto("/wallet/")
    expect(page.get_by_test_id("statement-line").first).to_be_visible()
    assert_fits_the_screen(page)
    snapshot(page, "trips-wallet-statement-hindi")
    page.goto("/wallet/?tab=withdraw")
    page.locator("input[name=amount]").fill("abc")
    page.locator("form[action^='/wallet/withdraw/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile("/wallet/withdraw/"))
    switch_language(page, "English", "en")
    expect(page).to_have_url(re.compile(r"/wallet/\?tab=withdraw"))
    expect(page.locator("input[name=amount]")).to_be_visible()

    # the orders in Hindi too
    switch_language(page, "हिंदी", "hi")
    page.goto("/orders/")
    expect(page.get_by_test_id("order-status").first).to_be_visible()
    assert_fits_the_screen(page)
    snapshot(page, "trips-orders-hindi")
    switch_language(page, "English", "en")


def test_the_favicon_and_the_sites_404_page(page):
    page.goto("/")
    for icon in page.locator("link[rel=icon], link[rel=apple-touch-icon]").all():
        href = icon.get_attribute("href")
        assert page.request.get(href).ok, href
    assert page.request.get("/favicon.ico").ok

    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.locator(".cz-header")).to_be_visible()
    expect(page.get_by_role("link", name="Go to the home page")).to_be_visible()
    snapshot(page, "trips-404")
    switch_language(page, "हिंदी", "hi")
    expect(page.locator(".cz-header")).to_be_visible()
    snapshot(page, "trips-404-hindi")
    switch_language(page, "English", "en")
