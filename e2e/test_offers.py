"""Journey: search for a store, open it, get a code, and land on the store through the
click-out with our click id as the sub-id. The "store" is a local page in this test."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_fits_the_screen, local_store, snapshot


@pytest.fixture(scope="module")
def store_url(live_url, live_env):
    with local_store(live_env, "myntra") as url:
        yield url


def test_shopper_searches_opens_a_store_gets_a_code_and_lands_on_the_store(page, store_url):
    page.goto("/")
    if page.device == "phone":
        page.get_by_role("button", name="Menu").click()
    search = page.locator("header").get_by_label("Search stores and coupons")
    search.fill("Myntra")
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=Myntra"))
    assert_fits_the_screen(page)
    snapshot(page, "search")
    page.locator("main").get_by_role("link", name=re.compile("^Myntra")).first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Myntra")
    assert_fits_the_screen(page)
    snapshot(page, "merchant")
    get_code = page.locator(".cz-get-code").first
    with page.context.expect_page() as store_tab:
        get_code.click()

    store = store_tab.value
    store.wait_for_load_state()
    expect(store.get_by_role("heading", level=1)).to_have_text("Welcome to the store")
    assert re.fullmatch(rf"{re.escape(store_url)}/landing\?sub=[0-9a-f-]{{36}}", store.url)
    # and back on Coupzii the code is shown, ready to paste
    expect(page.locator(".cz-code-reveal:not([hidden]) .cz-code").first).to_be_visible()
    snapshot(page, "code-revealed")
    store.close()
