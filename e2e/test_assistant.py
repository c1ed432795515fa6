"""Journeys: from a store's page a shopper asks Coupzii for the cheapest way to pay a ₹2,500
cart, watches the answer stream in, adds the gift card the best way uses to the cart from its
card, and pays for it through the dev gateway. And the same question without JavaScript: the
form posts, the answer comes back as a page with its cards. On a phone and a laptop."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, DEVICES, assert_fits_the_screen, snapshot, watch_policy_violations
from .test_wallet import new_user, sign_in

STORE = "myntra"  # the demo's Myntra: offers, and its gift cards sold 4% below face value
QUESTION = "What is the best way to pay for a ₹2,500 cart on Myntra?"
# "Add 1 gift card to the cart": the card posts sku and quantity to the gift card's own page
GIFT_CARD_BUTTON = re.compile(r"^Add .*gift cards? to the cart$")

# Records, at each change of the chat log, how long the newest answer's text is and whether
# the answer is still arriving (the log is aria-busy until the stream's last event).
WATCH_THE_ANSWER = """() => {
  const log = document.getElementById("cz-chat-log");
  window.czAnswerSeen = [];
  new MutationObserver(() => {
    const texts = log.querySelectorAll(".cz-msg-assistant .cz-msg-text");
    const newest = texts[texts.length - 1];
    window.czAnswerSeen.push({
      length: newest ? newest.textContent.length : 0,
      busy: log.getAttribute("aria-busy") === "true",
    });
  }).observe(log, {childList: true, subtree: true, characterData: true, attributes: true});
}"""


def slow_connection(page):
    """A phone's slow mobile connection (about 4 kB/s down) for what follows: the answer's
    events then arrive over a second or more, so each moment of the stream can be seen. The
    server and the page are unchanged."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 40, "downloadThroughput": 4000, "uploadThroughput": -1},
    )
    return cdp


def normal_connection(cdp) -> None:
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    cdp.detach()


def test_a_shopper_asks_for_the_best_way_to_pay_adds_the_gift_card_and_pays(page, live_env):
    # given a signed-in shopper on Myntra's page
    email, _key = new_user(live_env, staff=False)
    sign_in(page, email)
    page.goto(f"/merchants/{STORE}/")

    # when they open the assistant from the page's "Ask Coupzii" button
    page.get_by_test_id("ask-assistant").click()
    expect(page).to_have_url(re.compile(rf"/assistant/\?store={STORE}&"))
    expect(page.get_by_test_id("chat-empty")).to_be_visible()
    assert_fits_the_screen(page)
    snapshot(page, "assistant-empty")

    # and ask for the cheapest way to pay a ₹2,500 cart, on a slow connection
    page.evaluate(WATCH_THE_ANSWER)
    cdp = slow_connection(page)
    page.get_by_label("Your question").fill(QUESTION)
    page.get_by_test_id("send").click()

    # then the answer is written as it arrives: its text grows while the log is still busy
    log = page.get_by_test_id("chat-log")
    expect(log).to_have_attribute("aria-busy", "true")
    expect(log).to_have_attribute("aria-busy", "false", timeout=60_000)
    normal_connection(cdp)
    seen = page.evaluate("window.czAnswerSeen")
    growing = sorted({moment["length"] for moment in seen if moment["busy"] and moment["length"]})
    final = page.locator(".cz-msg-assistant .cz-msg-text").last.inner_text()
    assert len(growing) >= 2, f"the answer appeared at once: {seen}"
    assert growing[0] < len(final)

    # and it names the store and the price to pay, with the ways to pay as cards
    answer = page.get_by_test_id("chat-log").locator(".cz-msg-assistant").last
    expect(answer.locator(".cz-msg-text")).to_contain_text("Myntra")
    expect(answer.locator(".cz-msg-text")).to_contain_text("You pay ₹")
    options = answer.locator("[data-card-type=pay_option]")
    expect(options.first).to_be_visible()
    best = options.first
    expect(best).to_contain_text("Gift card saving")
    # the address bar now holds the conversation, so a reload shows it again
    expect(page).to_have_url(re.compile(r"/assistant/c/[0-9a-f-]{36}/"))
    assert_fits_the_screen(page)
    snapshot(page, "assistant-answer")

    # when they press the best way's gift-card button
    best.get_by_role("button", name=GIFT_CARD_BUTTON).click()

    # then the Myntra gift card is in their cart, sold below its face value
    expect(page).to_have_url(re.compile("/cart/"))
    line = page.get_by_test_id("cart-line")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("Myntra")
    expect(line).to_contain_text("1,920.00")  # the ₹2,000 card at 4% off
    assert_fits_the_screen(page)
    snapshot(page, "assistant-cart")

    # when they check out and pay through the dev gateway
    page.get_by_test_id("checkout").click()
    expect(page).to_have_url(re.compile("/checkout/"))
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("dev-gateway")).to_be_visible()
    page.get_by_test_id("dev-pay").click()

    # then the order is paid and its gift card delivered
    expect(page).to_have_url(re.compile(r"/orders/CZ[0-9A-Z]{8}/"))
    expect(page.get_by_test_id("order-total")).to_contain_text("1,920.00")
    expect(page.get_by_test_id("timeline")).to_contain_text("Paid")
    expect(page.get_by_test_id("pay-now")).to_have_count(0)
    expect(page.get_by_test_id("voucher")).to_have_count(1)
    assert_fits_the_screen(page)
    snapshot(page, "assistant-order")


@pytest.mark.parametrize("device", list(DEVICES))
def test_without_javascript_the_question_posts_and_the_answer_shows_its_cards(
    browser, live_url, live_env, device
):
    # given a shopper whose browser runs no JavaScript
    email, _key = new_user(live_env, staff=False)
    context = browser.new_context(
        base_url=live_url, locale="en-IN", java_script_enabled=False, **DEVICES[device]
    )
    context.set_default_timeout(30_000)
    violations = watch_policy_violations(context)
    page = context.new_page()
    page.device = device
    try:
        sign_in(page, email)
        page.goto(f"/merchants/{STORE}/")
        page.get_by_test_id("ask-assistant").click()

        # when they type the question and send it
        page.get_by_label("Your question").fill(QUESTION)
        page.get_by_test_id("send").click()

        # then the conversation's page shows their question, the answer and its cards
        expect(page).to_have_url(re.compile(r"/assistant/c/[0-9a-f-]{36}/"))
        expect(page.get_by_test_id("message-user")).to_have_text(re.compile(re.escape(QUESTION)))
        answer = page.get_by_test_id("message-assistant").last
        expect(answer).to_contain_text("Myntra")
        expect(answer.locator("[data-card-type=pay_option]").first).to_be_visible()
        expect(page.get_by_test_id("conversation-row")).to_have_count(1)
        assert_fits_the_screen(page)
        snapshot(page, "assistant-no-js")

        # and a card's button is a plain form too: the gift card goes into the cart
        answer.locator("[data-card-type=pay_option]").first.get_by_role(
            "button", name=GIFT_CARD_BUTTON
        ).click()
        expect(page).to_have_url(re.compile("/cart/"))
        expect(page.get_by_test_id("cart-line")).to_have_count(1)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"assistant-no-js-failed-{device}.png", full_page=True)
        raise
    finally:
        context.close()
    assert not violations, violations
