"""Journey: a visitor puts a gift card in the cart, signs in (the cart comes along), applies a
promo code, pays part with the wallet and the rest through the dev gateway, and sees the
codes on the order page and in the email."""

import re

from playwright.sync_api import expect

from .conftest import assert_fits_the_screen, last_email_to, snapshot
from .test_wallet import new_user, shell, sign_in

CARD = "amazon-pay"  # the demo's Amazon Pay gift card
SKU = "amazon-pay-500"


def credit_wallet(live_env, email: str, amount: str) -> None:
    """What a confirmed cashback would do: `amount` into the shopper's available balance."""
    shell(
        live_env,
        "from decimal import Decimal\n"
        "from accounts.models import User\n"
        "from wallet import ledger\n"
        "from wallet.models import AccountKind, TransactionKind\n"
        f"u = User.objects.get(email={email!r})\n"
        "ledger.transaction_post(kind=TransactionKind.WELCOME_BONUS,"
        f" idempotency_key='e2e-credit:' + str(u.pk), legs=["
        f"(ledger.platform_account(AccountKind.PROMOTIONS), -Decimal({amount!r})),"
        f"(ledger.user_accounts(u)[AccountKind.AVAILABLE], Decimal({amount!r}))],"
        " reference_type='e2e', reference_id=str(u.pk))\n",
    )


def test_a_shopper_buys_a_gift_card_with_a_promo_wallet_and_the_dev_gateway(page, live_env):
    # given a shopper with ₹100 in the wallet
    email, _key = new_user(live_env, staff=False)
    credit_wallet(live_env, email, "100.00")

    # when, signed out, they put a ₹500 Amazon Pay card in the cart
    page.goto("/gift-cards/")
    assert_fits_the_screen(page)
    page.goto(f"/gift-cards/{CARD}/")
    page.locator(f"input[name=sku][value='{SKU}']").check(force=True)
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile("/cart/"))
    expect(page.get_by_test_id("cart-line")).to_have_count(1)

    # and sign in: the cart comes with them
    sign_in(page, email)
    page.goto("/cart/")
    expect(page.get_by_test_id("cart-line")).to_have_count(1)

    # and apply WELCOME10 and use the wallet
    page.locator("#id_code").fill("welcome10")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("promo-applied")).to_have_text("WELCOME10")
    page.locator("#use-wallet").check()
    expect(page.locator("#use-wallet")).to_be_checked()
    assert_fits_the_screen(page)
    snapshot(page, "shop-cart")

    # and check out, paying the rest through the dev gateway
    page.get_by_test_id("checkout").click()
    expect(page).to_have_url(re.compile("/checkout/"))
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("dev-gateway")).to_be_visible()
    assert_fits_the_screen(page)
    snapshot(page, "shop-dev-gateway")
    page.get_by_test_id("dev-pay").click()

    # then the order page shows the delivered code, revealed on a tap
    expect(page).to_have_url(re.compile(r"/orders/CZ[0-9A-Z]{8}/"))
    number = re.search(r"/orders/(CZ[0-9A-Z]{8})/", page.url).group(1)
    expect(page.get_by_test_id("voucher")).to_have_count(1)
    code = page.get_by_test_id("voucher-code").first
    expect(code).not_to_be_visible()
    page.get_by_test_id("voucher").first.locator("summary").click()
    expect(code).to_be_visible()
    assert_fits_the_screen(page)
    snapshot(page, "shop-order")

    # and the demo sells this card at face value: ₹500 less 10% is ₹450
    expect(page.get_by_test_id("order-total")).to_contain_text("450.00")
    email_text = last_email_to(email, timeout=30)
    assert number in email_text
    assert code.inner_text().strip() in email_text
