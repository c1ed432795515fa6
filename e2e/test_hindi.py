"""Journey: the footer's pages in English, then the site in Hindi: categories, offer titles and
their terms, the password rules, notifications with their times, payout methods and the
footer's pages; an operator edits a footer page in both languages in the admin. On a phone
and a laptop (issue 11, items 7 and 10)."""

import re

from django_otp.oath import TOTP
from playwright.sync_api import expect

from accounts.demo import DEMO_OPERATOR_TOTP_HEX

from .conftest import DEVICES, assert_fits_the_screen, snapshot

SHOPPER = "asha@coupzii.test"
SHOPPER_PASSWORD = "coupzii-shopper-demo"
OPERATOR = "admin@coupzii.test"
OPERATOR_PASSWORD = "coupzii-admin-demo"


def footer(page):
    return page.locator("footer")


def switch_to_hindi(page) -> None:
    # The footer's switcher is on every page, on a phone too (no menu to open).
    footer(page).get_by_role("button", name="हिंदी").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")


def test_footer_pages_in_english_then_the_site_in_hindi(page):
    # the footer links to About, Help & FAQ, Terms, Privacy and Contact, each a real page
    page.goto("/")
    for name, heading in [
        ("About", "About Coupzii"),
        ("Terms", "Terms of use"),
        ("Privacy", "Privacy"),
        ("Contact", "Contact us"),
        ("Help & FAQ", "Help and FAQ"),
    ]:
        footer(page).get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # the help page explains pending and confirmed cashback and the withdrawal minimum
    expect(page.locator("main")).to_contain_text('What do "pending" and "confirmed" mean?')
    expect(page.locator("main")).to_contain_text("at least ₹100")
    assert_fits_the_screen(page)
    snapshot(page, "help-page")

    # in Hindi the same page reads in Hindi, and so does the footer
    switch_to_hindi(page)
    expect(page).to_have_url(re.compile("/pages/help/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("सहायता और अक्सर पूछे जाने वाले सवाल")
    expect(page.locator("main")).to_contain_text('"लंबित" और "पक्का" का क्या मतलब है?')
    expect(footer(page).get_by_role("link", name="गोपनीयता")).to_be_visible()
    assert_fits_the_screen(page)
    snapshot(page, "help-page-hindi")

    # categories and offers the operators wrote in Hindi show in Hindi, with their terms
    page.goto("/categories/")
    expect(page.locator("main")).to_contain_text("फ़ैशन")
    expect(page.locator("main")).to_contain_text("खाना और रेस्टोरेंट")
    expect(page.locator("main")).not_to_contain_text("Food & Dining")
    page.goto("/merchants/dominos/")
    expect(page.locator("main")).to_contain_text("मीडियम पिज़्ज़ा पर एक के साथ एक मुफ़्त")
    expect(page.locator("main")).not_to_contain_text("Buy 1 Get 1 on medium pizzas")
    assert_fits_the_screen(page)
    snapshot(page, "store-hindi")

    # the sign-up page states Django's password rules in Hindi
    page.goto("/accounts/signup/")
    expect(page.locator("main")).to_contain_text("आपके पासवर्ड में कम से कम 8 अक्षर होने चाहिए।")
    expect(page.locator("main")).not_to_contain_text("Your password")


def test_a_shopper_reads_notifications_and_payout_methods_in_hindi(page):
    page.goto("/accounts/login/")
    switch_to_hindi(page)
    page.locator("input[name=login]").fill(SHOPPER)
    page.locator("input[name=password]").fill(SHOPPER_PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))

    # notifications sent while her account was in English read in Hindi, times too
    page.goto("/notifications/")
    main = page.locator("main")
    expect(main).to_contain_text("आपके गिफ़्ट कार्ड तैयार हैं")
    expect(main).to_contain_text(re.compile("(सेकंड|मिनट) पहले"))
    expect(main).not_to_contain_text("ago")
    expect(main).not_to_contain_text("Your gift cards are ready")
    assert_fits_the_screen(page)
    snapshot(page, "notifications-hindi")
    # the older ones, on the next page: the demo's own, days and minutes old
    main.get_by_role("link", name="पुरानी").click()
    expect(main).to_contain_text("Coupzii में आपका स्वागत है, Asha!")
    expect(main).to_contain_text("Android पर Chrome से नया साइन-इन")
    expect(main).to_contain_text("6 दिन पहले")
    expect(main).not_to_contain_text("ago")
    snapshot(page, "notifications-older-hindi")

    # the withdrawal form offers UPI or a bank transfer, in Hindi
    page.goto("/wallet/?tab=withdraw")
    expect(main).to_contain_text("बैंक ट्रांसफ़र")
    expect(main).not_to_contain_text("Bank transfer")
    snapshot(page, "withdraw-hindi")


def test_an_operator_edits_a_footer_page_in_english_and_hindi(page, browser, live_url):
    # the demo operator signs in to the admin with the demo authenticator secret
    operator = browser.new_context(base_url=live_url, locale="en-IN", **DEVICES["laptop"])
    operator.set_default_timeout(30_000)
    admin = operator.new_page()
    admin.device = "operator"
    admin.goto("/accounts/login/")
    admin.locator("input[name=login]").fill(OPERATOR)
    admin.locator("input[name=password]").fill(OPERATOR_PASSWORD)
    admin.locator("main form button[type=submit]").last.click()
    expect(admin).to_have_url(re.compile("/accounts/2fa/authenticate/"))
    # A code is accepted once (replay protection): the laptop's run, often within the same
    # 30 seconds as the phone's, takes the next step's code, which the one-step tolerance allows.
    totp = TOTP(bytes.fromhex(DEMO_OPERATOR_TOTP_HEX), drift=0 if page.device == "phone" else 1)
    admin.get_by_label("Code").fill(f"{totp.token():06d}")
    admin.get_by_label("Code").press("Enter")
    expect(admin).not_to_have_url(re.compile("/accounts/"))

    # and changes the Contact page's hours in both languages, side by side in one form
    admin.goto("/admin/pages/page/?q=contact")
    admin.locator("#result_list tbody th a").first.click()
    hours = f"Phones answered 09:00 to 21:00 IST, seven days ({page.device})."
    hours_hi = f"फ़ोन सुबह 9 से रात 9 बजे तक, हफ़्ते के सातों दिन ({page.device})।"
    admin.locator("textarea[name=body_en]").fill(hours)
    admin.locator("textarea[name=body_hi]").fill(hours_hi)
    snapshot(admin, "admin-site-page-form")
    admin.locator("input[name=_save]").click()
    expect(admin.locator(".messagelist")).to_contain_text("changed successfully")
    snapshot(admin, "admin-site-page-saved")
    operator.close()

    # then a shopper reads it from the footer, in English and in Hindi
    page.goto("/")
    footer(page).get_by_role("link", name="Contact", exact=True).click()
    expect(page.locator("main")).to_contain_text(hours)
    switch_to_hindi(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("संपर्क करें")
    expect(page.locator("main")).to_contain_text(hours_hi)
    assert_fits_the_screen(page)
    snapshot(page, "contact-page-edited-hindi")
