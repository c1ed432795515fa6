"""Journey: a first visit on a phone and on a laptop, in Hindi, and a wrong link."""

import json
import urllib.request

from playwright.sync_api import expect

from .conftest import assert_fits_the_screen, snapshot


def open_menu_on_phone(page) -> None:
    if page.device == "phone":
        page.get_by_role("button", name="Menu").click()


def test_visitor_opens_home_switches_to_hindi_and_meets_the_404(page):
    # the home page fits the screen and invites the visitor to sign in
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Save on every order")
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    assert_fits_the_screen(page)
    snapshot(page, "home")

    # switching to Hindi from the header translates the page and stays on it
    open_menu_on_phone(page)
    page.locator("header").get_by_role("button", name="हिंदी").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", level=1)).to_contain_text("हर ऑर्डर पर बचत")
    assert_fits_the_screen(page)
    snapshot(page, "home-hindi")

    # a wrong link shows the site's own 404 page, still in Hindi, with a way home
    response = page.goto("/offers/this-offer-ended/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("हमें वह पेज नहीं मिला")
    assert_fits_the_screen(page)
    snapshot(page, "404-hindi")
    page.get_by_role("link", name="होम पेज पर जाएँ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("हर ऑर्डर पर बचत")


def test_live_server_reports_every_service_up(live_url):
    with urllib.request.urlopen(f"{live_url}/health/", timeout=5) as response:  # noqa: S310
        assert response.status == 200
        body = json.load(response)
    assert body["checks"]["database"]["vendor"] == "postgresql"
    assert body["checks"]["broker"]["mode"] == "broker"
