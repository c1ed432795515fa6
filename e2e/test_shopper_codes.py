"""Journeys a new shopper tripped over (issue 11): every personal-code offer the site lists hands
out a code, "My codes" is in the account menu, and a demo store's click-out lands on the
site's own demo store page, not on a host that does not resolve. In English and Hindi."""

import re
import subprocess
import sys
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, assert_fits_the_screen, snapshot

PASSWORD = "a long enough passphrase"
# A demo store no other journey points at a local store page: its links are the demo's own.
DEMO_STORE = "amazon"


@pytest.fixture(params=["en", "hi"])
def language(request, page, live_url) -> str:
    page.context.add_cookies([{"name": "django_language", "value": request.param, "url": live_url}])
    return request.param


def new_shopper(live_env: dict[str, str]) -> str:
    """A signed-up shopper with a confirmed email; returns the email."""
    email = f"codes-{uuid.uuid4().hex[:8]}@example.in"
    script = (
        "from allauth.account.models import EmailAddress\n"
        "from accounts.models import User\n"
        f"u = User.objects.create_user({email!r}, {PASSWORD!r}, full_name='Journey Person')\n"
        "EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)\n"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=live_env, check=True
    )
    return email


def sign_in(page, email: str) -> None:
    # By field name: the labels are in the page's language.
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def open_account_menu(page) -> None:
    if page.device == "phone":
        page.locator(".navbar-toggler").click()
        # Bootstrap's collapse animates; a click on the toggle mid-animation can be lost.
        expect(page.locator(".navbar-collapse.show")).to_be_visible()
        expect(page.locator(".navbar-collapse.collapsing")).to_have_count(0)
    toggle = page.locator(".cz-account .dropdown-toggle")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def test_every_listed_personal_code_can_be_claimed_and_is_found_under_my_codes(
    page, live_env, language
):
    sign_in(page, new_shopper(live_env))

    # every personal-code offer on the list offers a claim, none a dead end
    page.goto("/coupons/?kind=unique_code")
    cards = page.locator("article.cz-offer")
    claims = page.locator("article.cz-offer form[action$='/claim/'] button[type=submit]")
    expect(cards.first).to_be_visible()
    expect(page.locator("[data-testid=no-codes]")).to_have_count(0)
    assert claims.count() == cards.count() >= 20
    assert_fits_the_screen(page)
    snapshot(page, f"personal-codes-{language}")

    # claiming one shows it in My codes
    claims.first.click()
    expect(page).to_have_url(re.compile(r"/my-codes/$"))
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(".cz-my-code")).to_have_count(1)
    assert_fits_the_screen(page)
    snapshot(page, f"code-claimed-{language}")

    # and My codes is in the account menu on every page
    page.goto("/")
    open_account_menu(page)
    my_codes = page.locator(".cz-account a[href='/my-codes/']")
    expect(my_codes).to_be_visible()
    snapshot(page, f"account-menu-{language}")
    my_codes.click()
    expect(page).to_have_url(re.compile(r"/my-codes/$"))
    expect(page.locator(".cz-my-code")).to_have_count(1)


def test_a_demo_stores_click_out_lands_on_the_sites_demo_store_page(page, language):
    page.goto(f"/merchants/{DEMO_STORE}/")
    with page.context.expect_page() as store_tab:
        page.locator("main a[href*='/go/'][target=_blank]").first.click()

    store = store_tab.value
    store.wait_for_load_state()
    found = re.search(rf"/demo-store/{DEMO_STORE}/\?sub=([0-9a-f-]{{36}})$", store.url)
    assert found, store.url
    expect(store.locator("[data-testid=demo-store-sub-id]")).to_have_text(found.group(1))
    expect(store.locator("[data-testid=demo-store-note]")).to_be_visible()
    store.device = page.device
    assert_fits_the_screen(store)
    snapshot(store, f"demo-store-{language}")
    store.close()
