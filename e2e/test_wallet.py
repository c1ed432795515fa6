"""Journey: a shopper clicks out, the affiliate network (a loopback server speaking Admitad's
report API) reports the sale and later confirms it, the wallet shows it pending then
available, the shopper sends KYC and withdraws, an operator verifies the KYC, approves and
pays the withdrawal in the admin, and the shopper sees it paid."""

import re
import secrets
import subprocess
import sys
import uuid

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from wallet.tests.loopback_networks import LoopbackNetworks

from .conftest import DEVICES, ROOT, assert_fits_the_screen, local_store, snapshot

PASSWORD = "a long enough passphrase"
STORE = "ajio"  # 8% cashback in the demo catalog


def shell(env: dict[str, str], script: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


@pytest.fixture(scope="module")
def networks():
    with LoopbackNetworks() as loopback:
        yield loopback


@pytest.fixture(scope="module")
def store_url(live_url, live_env):
    with local_store(live_env, STORE) as url:
        yield url


def sync(live_env, networks) -> None:
    """What beat does: write the buffered clicks, then pull the networks' reports."""
    shell(
        {**live_env, **networks.environment()},
        "from offers.clickout import buffered_clicks_write\n"
        "buffered_clicks_write()\n"
        "from wallet.tasks import sync_networks\n"
        "print(sync_networks())\n",
    )


def new_user(live_env, *, staff: bool) -> tuple[str, bytes | None]:
    """A signed-up user with a confirmed email; staff get an authenticator (its key returned)."""
    email = f"wallet-{'ops' if staff else 'shopper'}-{uuid.uuid4().hex[:8]}@example.in"
    key = secrets.token_bytes(20)
    shell(
        live_env,
        "from allauth.account.models import EmailAddress\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from accounts.models import User\n"
        f"u = User.objects.create_user({email!r}, {PASSWORD!r}, full_name='Journey Person',"
        f" is_staff={staff}, is_superuser={staff})\n"
        "EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)\n"
        + (
            f"TOTPDevice.objects.create(user=u, name='phone', key={key.hex()!r}, confirmed=True)\n"
            if staff
            else ""
        ),
    )
    return email, key if staff else None


def sign_in(page, email: str, key: bytes | None = None) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    if key is not None:
        expect(page).to_have_url(re.compile("/accounts/2fa/authenticate/"))
        page.get_by_label("Code").fill(f"{TOTP(key).token():06d}")
        page.get_by_label("Code").press("Enter")
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def click_out(page) -> str:
    """Open the store through a deal; returns the click id the store received as sub-id."""
    page.goto(f"/merchants/{STORE}/")
    with page.context.expect_page() as store_tab:
        page.locator("main a[href*='/go/'][target=_blank]").first.click()
    store = store_tab.value
    store.wait_for_load_state()
    sub_id = re.search(r"sub=([0-9a-f-]{36})", store.url).group(1)
    store.close()
    return sub_id


def open_first_result(admin) -> None:
    """Open the first row of an admin list (its link column is the row's <th>)."""
    admin.locator("#result_list tbody th a").first.click()
    expect(admin).to_have_url(re.compile(r"/change/"))


def test_cashback_from_click_out_to_paid_withdrawal(
    page, browser, live_url, live_env, networks, store_url
):
    # given: a shopper who clicked out to the store and bought something
    shopper, _ = new_user(live_env, staff=False)
    sign_in(page, shopper)
    sub_id = click_out(page)
    txn_id = networks.add_sale("admitad", sub_id=sub_id, sale_amount="2500.00", commission="250.00")

    # when: the network reports the sale
    sync(live_env, networks)
    page.goto("/wallet/?tab=cashback")
    row = page.locator("main li, main .list-group-item").filter(has_text="AJIO").first
    expect(row).to_contain_text("Pending")
    expect(row).to_contain_text("₹200.00")
    assert_fits_the_screen(page)
    snapshot(page, "wallet-pending")

    # and later confirms it
    networks.set_status("admitad", txn_id, "confirmed")
    sync(live_env, networks)
    page.goto("/wallet/")
    expect(page.locator("main")).to_contain_text("₹200.00")
    page.goto("/wallet/?tab=cashback")
    expect(
        page.locator("main li, main .list-group-item").filter(has_text="AJIO").first
    ).to_contain_text("Confirmed")

    # then: the shopper sends KYC details and asks for ₹150
    page.goto("/wallet/?tab=withdraw")
    page.get_by_label("Name as on your PAN card").fill("Journey Person")
    page.get_by_label("PAN", exact=True).fill("ABCPJ1234K")
    page.get_by_label("UPI id").fill("journey.person@okaxis")
    page.locator(
        "#kyc form button[type=submit], form[action*='kyc'] button[type=submit]"
    ).first.click()
    expect(page.locator("main")).to_contain_text(re.compile("under review", re.IGNORECASE))
    snapshot(page, "wallet-kyc-review")

    operator = browser.new_context(base_url=live_url, locale="en-IN", **DEVICES["laptop"])
    operator.set_default_timeout(30_000)
    admin = operator.new_page()
    admin.device = "operator"
    ops_email, key = new_user(live_env, staff=True)
    sign_in(admin, ops_email, key)
    admin.goto(f"/admin/wallet/kycprofile/?q={shopper}")
    open_first_result(admin)
    admin.get_by_role("button", name="Verify").click()
    expect(admin.locator(".messagelist")).to_contain_text("erified")

    page.goto("/wallet/?tab=withdraw")
    page.get_by_label("Amount in rupees").fill("150")
    page.get_by_role("button", name="Request withdrawal").click()
    expect(page.locator("main")).to_contain_text("₹150.00")
    snapshot(page, "wallet-withdrawal-requested")

    # and an operator approves it and marks it paid with the bank's UTR
    admin.goto(f"/admin/wallet/withdrawal/?q={shopper}")
    open_first_result(admin)
    admin.get_by_role("button", name="Approve").click()
    admin.get_by_role("link", name=re.compile("Mark paid")).click()
    utr = f"UTR{uuid.uuid4().hex[:10].upper()}"
    admin.get_by_label("UTR").fill(utr)
    admin.locator("#content form [type=submit]").first.click()
    expect(admin.locator(".messagelist")).to_contain_text("paid")
    snapshot(admin, "admin-withdrawal-paid")
    operator.close()

    # then: the shopper sees the withdrawal paid, with the UTR
    page.goto("/wallet/?tab=withdrawals")
    paid = page.locator("main li, main .list-group-item").filter(has_text=utr).first
    expect(paid).to_contain_text("Paid")
    assert_fits_the_screen(page)
    snapshot(page, "wallet-withdrawal-paid")
