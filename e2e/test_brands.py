"""Journey: a brand owner (two-factor sign-in) invites an analyst, creates a book of 10,000
codes and watches the worker fill it, uploads a coupon file with one bad row and sees nothing
saved, redeems one of the new codes at the till, and exports the analytics to Excel."""

import io
import re
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

from django_otp.oath import TOTP
from openpyxl import load_workbook
from playwright.sync_api import expect

from .conftest import ROOT, assert_fits_the_screen, last_email_to, snapshot

PASSWORD = "a long enough passphrase"
BRAND = "myntra"


def shell(env: dict[str, str], script: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def new_owner(live_env) -> tuple[str, bytes]:
    """An owner of the demo brand with a confirmed email and an authenticator (key returned)."""
    email = f"brand-owner-{uuid.uuid4().hex[:8]}@example.in"
    key = secrets.token_bytes(20)
    shell(
        live_env,
        "from allauth.account.models import EmailAddress\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from accounts.models import User\n"
        "from brands.models import Brand, Membership, Role\n"
        f"u = User.objects.create_user({email!r}, {PASSWORD!r}, full_name='Journey Owner')\n"
        "EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)\n"
        f"TOTPDevice.objects.create(user=u, name='phone', key={key.hex()!r}, confirmed=True)\n"
        f"Membership.objects.create(brand=Brand.objects.get(slug={BRAND!r}), user=u,"
        " role=Role.OWNER)\n",
    )
    return email, key


def sign_in(page, email: str, key: bytes) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile("/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill(f"{TOTP(key).token():06d}")
    page.get_by_label("Code").press("Enter")
    expect(page).not_to_have_url(re.compile("/accounts/"))


def invite_analyst(page, browser, live_url) -> None:
    page.goto(f"/brand/{BRAND}/team/")
    invitee = f"analyst-{uuid.uuid4().hex[:8]}@example.in"
    form = page.locator("form[action$='/team/invitations/']")
    form.get_by_label("Email").fill(invitee)
    form.get_by_label("Role").select_option("analyst")
    form.get_by_role("button", name="Send invitation").click()
    expect(page.locator("main")).to_contain_text(invitee)
    # The email carries a link that opens the invitation for the invited person.
    link = re.search(r"https?://\S+?(/brand/invitations/[^/\s]+/)", last_email_to(invitee))
    assert link, "the invitation email has no link"
    stranger = browser.new_context(base_url=live_url)
    try:
        invitation = stranger.new_page()
        invitation.goto(link.group(1))
        expect(invitation.locator("main")).to_contain_text("Myntra")
        expect(invitation.locator("main")).to_contain_text("Analyst")
    finally:
        stranger.close()


def create_book_of_10000(page) -> str:
    """Create a book and generate 10,000 codes; returns the book page's path."""
    page.goto(f"/brand/{BRAND}/books/new/")
    page.get_by_label("Offer").select_option(index=1)
    page.get_by_label("Name").fill(f"Journey {uuid.uuid4().hex[:6]}")
    page.get_by_label("Code pattern").fill("JRNY-****-****")
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(rf"/brand/{BRAND}/books/[0-9a-f-]{{36}}/$"))
    book_path = re.sub(r"^https?://[^/]+", "", page.url)
    generate = page.locator("[data-testid=generate-form]")
    generate.get_by_label("How many codes").fill("10000")
    generate.get_by_role("button", name="Generate").click()
    job = page.locator("[data-testid=book-job]").first
    expect(job).to_be_visible()
    # The worker fills the book in chunks; the page polls the job until it is done.
    expect(job).to_have_attribute("data-status", "done", timeout=180_000)
    expect(job).to_contain_text("10,000")
    return book_path


def upload_with_one_bad_row(page, tmp_path) -> None:
    rows = [
        "title,kind,code,discount_type,discount_value,min_order",
        "Journey 10% off shirts,code,JSHIRT10,percentage,10,499",
        "Journey flat 200 off,code,JFLAT200,fixed,200,1499",
        "Journey half price,code,JHALF,half-price,50,0",
    ]
    upload = tmp_path / "coupons.csv"
    upload.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.goto(f"/brand/{BRAND}/coupons/upload/")
    page.locator("[data-testid=upload-form] input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator("[data-testid=upload-summary]")
    expect(summary).to_contain_text("Refused: 1", timeout=60_000)
    expect(page.locator("[data-testid=upload-rows]")).to_contain_text("discount_type")
    # Nothing may be saved while a row is bad.
    expect(page.locator("[data-testid=upload-confirm]")).to_have_count(0)
    page.goto(f"/brand/{BRAND}/coupons/?q=Journey")
    expect(page.locator("main")).not_to_contain_text("Journey flat 200 off")


def redeem_at_the_till(page, book_path: str) -> None:
    page.goto(f"{book_path}codes/")
    code = page.locator("main td.cz-mono").filter(has_text="JRNY-").first.inner_text().strip()
    page.goto(f"/brand/{BRAND}/till/")
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_label("Order amount (₹)").fill("1500")
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.locator("[data-testid=till-result]")).to_contain_text("pay ₹")
    assert_fits_the_screen(page)
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_label("Order amount (₹)").fill("1500")
    page.get_by_label("Order reference").fill(f"POS-{uuid.uuid4().hex[:6]}")
    page.get_by_role("button", name="Redeem", exact=True).click()
    expect(page.locator("[data-testid=till-result]")).to_contain_text("Redeemed")
    expect(page.locator("main")).to_contain_text(code)
    snapshot(page, "brand-till-redeemed")


def export_analytics(page) -> None:
    page.goto(f"/brand/{BRAND}/analytics/")
    expect(page.locator("main")).to_contain_text("Redemptions")
    with page.expect_download() as download:
        page.locator("[data-testid=export]").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    # openpyxl judges a file by its name, and a download is saved without one.
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len(workbook.sheetnames) >= 3


def test_brand_owner_invites_generates_uploads_redeems_and_exports(
    page, browser, live_url, live_env, tmp_path
):
    email, key = new_owner(live_env)
    sign_in(page, email, key)
    page.goto("/brand/")
    expect(page).to_have_url(re.compile(rf"/brand/{BRAND}/$"))
    expect(page.locator("[data-testid=portal-brand]")).to_have_text("Myntra")
    assert_fits_the_screen(page)
    snapshot(page, "brand-dashboard")

    invite_analyst(page, browser, live_url)
    book_path = create_book_of_10000(page)
    upload_with_one_bad_row(page, tmp_path)
    redeem_at_the_till(page, book_path)
    export_analytics(page)
