"""Journey: the pages that embed third-party code keep working under the Content-Security-Policy
(Swagger UI, the admin's lists and import/export pages), and the journeys' own watch over the
console really catches a violation."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import DEVICES, watch_policy_violations
from .test_wallet import new_user, sign_in


@pytest.mark.parametrize("page", ["laptop"], indirect=True)
def test_a_developer_reads_the_api_docs(page):
    page.goto("/api/docs/")

    # Swagger UI is drawn by its scripts from the schema: the operations are listed.
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()


@pytest.mark.parametrize("page", ["laptop"], indirect=True)
def test_an_operator_uses_the_admin(page, live_env):
    email, key = new_user(live_env, staff=True)
    sign_in(page, email, key)

    for path in (
        "/admin/",
        "/admin/offers/offer/",
        "/admin/offers/offer/export/",
        "/admin/catalog/merchant/import/",
        "/admin/catalog/vouchercode/",
        "/admin/catalog/vouchercode/import/",
        "/admin/commerce/order/",
        "/admin/wallet/withdrawal/",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("#content")).to_be_visible()
    # The changelist's actions and filters run from the admin's own scripts.
    page.goto("/admin/offers/offer/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text(re.compile(r"\d+ of \d+ selected"))


def test_the_journeys_catch_a_policy_violation(browser, live_url):
    context = browser.new_context(base_url=live_url, **DEVICES["laptop"])
    violations = watch_policy_violations(context)
    page = context.new_page()
    page.goto("/")
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        # What an injected script would look like: inline, without the page's nonce.
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = true'; document.body.append(s); }"
        )
    context.close()

    assert len(violations) == 1
    assert "script-src" in violations[0]
