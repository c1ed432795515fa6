"""Journeys of issue 16: an operator reads the dashboard at /admin/ (cards, charts, the range
picker, a card's admin list, CSV and Excel downloads, the health panel); a shopper on a phone
gets a "Picked for you" rail after clicking out in a store, and sees when a pending cashback
will likely be confirmed, learned from the store's own history; the referral leaderboard,
signed out, signed in with the shopper's own place, and in Hindi.

Screenshots of the dashboard (laptop), the rail and the tracker (phone) are kept in
e2e/artifacts/insight-*.png whether the journeys pass or fail (the issue asks for them)."""

import csv
import io
import json
import re
import secrets
import uuid
import zoneinfo
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, assert_fits_the_screen, local_store, snapshot
from .test_wallet import PASSWORD, shell, sign_in

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
DASH = "\u2013"  # the en dash between a range's dates
# Days from report to confirmation of the store's confirmed history: 10% by day 8, half by
# day 10, 80% by day 12 (25 sales, enough for the store's own figure).
DELAYS = [8] * 5 + [10] * 10 + [12] * 6 + [15] * 4

# For every chart canvas: whether Chart.js drew it (a chart object with points) and how many of
# its pixels are painted (a blank canvas has none).
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll("canvas[data-cz-chart]")).map(c => {
  const chart = window.Chart && window.Chart.getChart(c);
  const pixels = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i]) { painted++; } }
  return {
    id: c.dataset.czChart,
    hidden: c.hidden,
    points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : 0,
    painted: painted,
  };
})"""


def today() -> date:
    return datetime.now(IST).date()


def shell_json(env, script: str) -> dict:
    """Run `script` in the server's environment; it prints one JSON object last."""
    return json.loads(shell(env, script).strip().splitlines()[-1])


def user_script(*, staff: bool) -> tuple[str, bytes | None, str]:
    """(email, authenticator key, script): the script makes the user `u` as
    e2e.test_wallet.new_user does (email confirmed; staff with an authenticator), to run in one
    shell with what the journey needs next (each shell costs seconds)."""
    email = f"insight-{'ops' if staff else 'shopper'}-{uuid.uuid4().hex[:8]}@example.in"
    key = secrets.token_bytes(20) if staff else None
    script = (
        "from allauth.account.models import EmailAddress\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from accounts.models import User\n"
        f"u = User.objects.create_user({email!r}, {PASSWORD!r}, full_name='Journey Person',"
        f" is_staff={staff}, is_superuser={staff})\n"
        "EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)\n"
    )
    if key is not None:
        script += (
            f"TOTPDevice.objects.create(user=u, name='phone', key={key.hex()!r}, confirmed=True)\n"
        )
    return email, key, script


def number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


# --- 1. The operators' dashboard ----------------------------------------------------------------


def range_inputs(page):
    form = page.locator("form.cz-range")
    return form.locator("input[name=start]"), form.locator("input[name=end]")


def download(page, chart: str, label: str):
    link = page.locator(f"[data-chart={chart}] .cz-exports a").filter(has_text=label)
    with page.expect_download() as info:
        link.click()
    return info.value


# The dashboard reads the daily rollups: beat's `rollups_recent` keeps today and yesterday
# current, and a year of history is rolled once by the backfill (idempotent: a re-roll changes
# nothing, so it is harmless when the seed has rolled the year already).
ROLL_THE_YEAR = """
from django.core.management import call_command
call_command("rollups_backfill", days=366, stdout=open("/dev/null", "w"))
"""


@pytest.mark.parametrize("page", ["laptop"], indirect=True)
def test_an_operator_reads_the_dashboard_picks_dates_and_downloads_a_chart(page, live_env):
    # given the demo's year of history rolled up for the dashboard, and an operator with an
    # authenticator, signed in with password and code
    email, key, operator = user_script(staff=True)
    shell(live_env, operator + ROLL_THE_YEAR)
    sign_in(page, email, key)

    # when they open the admin, its home is the dashboard
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    cards = page.locator(".cz-cards [data-card]")
    expect(cards).to_have_count(8)
    values = page.locator(".cz-cards dd a").all_inner_texts()
    assert values and all(re.fullmatch(r"₹?[\d,]+(\.\d\d)?", v.strip()) for v in values), values
    # the demo's year of history shows: money was made this month
    revenue_30 = page.locator("[data-card=revenue] .cz-line").filter(has_text="Last 30 days")
    assert number(revenue_30.locator("dd").inner_text()) > 0

    # and every chart is drawn by Chart.js from its figures, or says there is nothing to show
    page.wait_for_function(
        "document.querySelectorAll('canvas[data-cz-chart]:not([hidden])').length > 0"
    )
    drawn = page.evaluate(CHARTS_DRAWN)
    figures = page.locator("figure.cz-chart")
    assert len(drawn) == figures.count(), f"charts without a canvas: {drawn}"
    for chart in drawn:
        assert not chart["hidden"] and chart["points"] > 0 and chart["painted"] > 1000, chart
    # drawn charts fold their tables (still there for screen readers and without JavaScript)
    expect(page.locator("[data-chart=revenue] details.cz-table")).not_to_have_attribute("open", "")

    # and the health panel shows the real Redis and the queues
    health = page.locator(".cz-health")
    expect(health.get_by_role("heading", name="Health")).to_be_visible()
    expect(health).to_contain_text("Memory used")
    expect(health).to_contain_text("Task queue (Celery)")
    expect(health).to_contain_text("Click-outs waiting for the click writer")
    snapshot(page, "insight-dashboard")  # insight-dashboard-laptop.png

    # when they pick the last 7 days
    page.locator(".cz-presets").get_by_role("link", name="7 days").click()
    expect(page).to_have_url(re.compile(r"/admin/\?days=7$"))
    start, end = range_inputs(page)
    expect(start).to_have_value((today() - timedelta(days=6)).isoformat())
    expect(end).to_have_value(today().isoformat())
    expect(page.locator("[data-chart=revenue] tbody tr")).to_have_count(7)

    # and then dates of their own: two weeks
    first = today() - timedelta(days=13)
    start.fill(first.isoformat())
    end.fill(today().isoformat())
    page.locator("form.cz-range").get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"start={first.isoformat()}"))
    expect(page.locator("[data-chart=revenue] tbody tr")).to_have_count(14)
    expect(page.locator(".cz-dash-range")).to_contain_text(first.strftime("%-d %b %Y"))

    # then the revenue chart's CSV holds those 14 days, and its Excel file the same numbers
    csv_file = download(page, "revenue", "CSV")
    assert csv_file.suggested_filename == (
        f"coupzii-revenue-{first.isoformat()}-{today().isoformat()}.csv"
    )
    rows = list(csv.reader(io.StringIO(Path(csv_file.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Date", "Revenue", "Paid orders"]
    assert [row[0] for row in rows[1:]] == [
        (first + timedelta(days=n)).isoformat() for n in range(14)
    ]
    assert all(re.fullmatch(r"\d+\.\d\d", row[1]) and row[2].isdigit() for row in rows[1:])
    excel = download(page, "revenue", "Excel")
    assert excel.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(excel.path()).read_bytes())).active
    header_row = next(r for r in range(1, 8) if sheet.cell(row=r, column=1).value == "Date")
    cells = list(sheet.iter_rows(min_row=header_row + 1, max_col=3, values_only=True))
    assert [(d.date().isoformat(), round(float(m), 2), int(n)) for d, m, n in cells] == [
        (day, float(money), int(count)) for day, money, count in rows[1:]
    ]
    assert all(isinstance(m, int | float) and isinstance(n, int) for _d, m, n in cells)

    # when the dates are the wrong way round, the page says so and shows the last 30 days
    start.fill(today().isoformat())
    end.fill((today() - timedelta(days=3)).isoformat())
    page.locator("form.cz-range").get_by_role("button", name="Show").click()
    expect(page.locator(".messagelist li.warning").first).to_have_text(
        "Those dates can't be shown: showing the last 30 days."
    )
    expect(page.locator(".cz-range-errors")).to_contain_text(
        "The end date must be on or after the start date."
    )
    expect(page.locator("[data-chart=revenue] tbody tr")).to_have_count(30)

    # when they follow the busiest line of "Orders by status" (the last 30 days)
    page.goto("/admin/?days=30")
    lines = page.locator("[data-card=orders-by-status] .cz-line")
    counts = [number(text) for text in lines.locator("dd").all_inner_texts()]
    busiest = max(range(len(counts)), key=counts.__getitem__)
    assert counts[busiest] > 0, counts
    lines.nth(busiest).locator("dd a").click()

    # then the admin's order list, filtered the same way, holds that many orders
    expect(page).to_have_url(re.compile(r"/admin/commerce/order/\?"))
    expect(page.locator(".paginator")).to_contain_text(
        re.compile(rf"\b{counts[busiest]} orders?\b")
    )


# --- 2. A shopper's "Picked for you" rail and cashback arrival ------------------------------------

# The store of the journey: an affiliate network's store with live offers and the least
# cashback history of the demo; then 25 confirmed sales of it, through the wallet's own services
# (reported pending, then confirmed) and put back at the times they happened, and the nightly
# learning of how long each store's cashback takes to confirm.
STORE_WITH_HISTORY = """
import dataclasses, json
from datetime import timedelta
from django.db.models import Count
from django.utils import timezone
from accounts.models import User
from catalog.models import Merchant
from offers.models import Offer
from offers.selectors import offers_live
from offers.tests.factories import ClickFactory
from wallet.models import ArrivalEstimate, CashbackEvent
from wallet.networks.base import SaleStatus
from wallet.services.cashback import cashback_report
from wallet.tasks import learn_cashback_arrival
from wallet.tests.factories import sale_for
live = set(offers_live(timezone.now()).values_list("merchant_id", flat=True))
stores = Merchant.objects.filter(affiliate_network="admitad", is_active=True, pk__in=live)
history = dict(
    CashbackEvent.objects.filter(merchant__in=stores).values_list("merchant_id")
    .annotate(n=Count("pk")).order_by()
)
store = min(stores.order_by("slug"), key=lambda m: history.get(m.pk, 0))
offer = Offer.objects.filter(merchant=store).order_by("pk").first()
buyer = User.objects.create_user({email!r}, "a long enough passphrase", full_name="Earlier Buyer")
now = timezone.now()
for number, delay in enumerate({delays!r}):
    click = ClickFactory(user=buyer, offer=offer, merchant=store)
    sale = sale_for(click, network=store.affiliate_network)
    event = cashback_report(sale=sale)
    cashback_report(sale=dataclasses.replace(sale, status=SaleStatus.CONFIRMED))
    reported = now - timedelta(days=30 + 3 * number)
    CashbackEvent.objects.filter(pk=event.pk).update(
        created_at=reported, confirmed_at=reported + timedelta(days=delay)
    )
learn_cashback_arrival()
store.refresh_from_db()
own = ArrivalEstimate.objects.get(network=store.affiliate_network, merchant=store)
print(json.dumps({{
    "slug": store.slug, "name": store.name, "history": history.get(store.pk, 0),
    "low": own.confirm_low_days, "median": own.confirm_median_days, "high": own.confirm_high_days,
    "learned": store.learned_confirm_days, "from_network": store.learned_from_network,
}}))
"""

# What beat does after click-outs: write the buffered clicks, roll the dashboard's recent days
# and refresh the rails of shoppers active since its last run. Then the network reports a sale
# on the shopper's own click-out, pending.
BEAT_AND_SALE = """
import json
from coupzii.core.tasks import rollups_recent
from offers.clickout.services import buffered_clicks_write
from offers.models import Click
from offers.services import foryou_refresh_active
from wallet.services.cashback import cashback_report
from wallet.tests.factories import sale_for
buffered_clicks_write()
rollups_recent()
refreshed = foryou_refresh_active()
click = Click.objects.select_related("merchant").get(pk={click_id!r})
sale = sale_for(
    click, network=click.merchant.affiliate_network, sale_amount="2000.00", commission="160.00"
)
event = cashback_report(sale=sale)
print(json.dumps({{"refreshed": refreshed, "event": str(event.public_id), "status": event.status}}))
"""


def click_out(page, slug: str, index: int) -> str:
    """Open the store through its `index`th deal; returns the click id the store received."""
    page.goto(f"/merchants/{slug}/")
    with page.context.expect_page() as store_tab:
        page.locator("main a[href*='/go/'][target=_blank]:visible").nth(index).click()
    store = store_tab.value
    store.wait_for_load_state()
    click_id = re.search(r"sub=([0-9a-f-]{36})", store.url).group(1)
    store.close()
    return click_id


def likely(first: date, last: date) -> str:
    """The tracker's range in English as written in India: "Likely 15 Dec \u2013 19 Dec" this year,
    with the years when a date falls in another."""
    with_year = not (first.year == last.year == today().year)

    def shown(day: date) -> str:
        return f"{day.day} {day:%b}" + (f" {day.year}" if with_year else "")

    return f"Likely {shown(first)} {DASH} {shown(last)}"


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_a_shopper_gets_offers_picked_for_them_and_sees_when_cashback_will_arrive(page, live_env):
    # given a store whose history was learned overnight: 25 sales, confirmed in 8 to 15 days
    history_buyer = f"insight-history-{uuid.uuid4().hex[:8]}@example.in"
    email, _key, shopper = user_script(staff=False)
    store = shell_json(
        live_env, shopper + STORE_WITH_HISTORY.format(email=history_buyer, delays=DELAYS)
    )
    if store["history"] == 0:  # the store's own 25 sales only: the figures DELAYS gives
        assert (store["low"], store["median"], store["high"]) == (8, 10, 12)
    assert store["learned"] == store["median"] and store["from_network"] is False

    # and a visitor: the home page has trending offers and nothing picked for them
    page.goto("/")
    expect(page.get_by_role("heading", name="Trending now")).to_be_visible()
    expect(page.get_by_role("heading", name="Picked for you")).to_have_count(0)

    # and a signed-in shopper with no history yet: the rail's empty state
    sign_in(page, email)
    page.goto("/")
    rail = page.locator("section[aria-labelledby=for-you-title]")
    expect(rail).to_contain_text("Nothing picked for you yet")

    # when they open the store's page, it says how long its cashback usually takes
    with local_store(live_env, store["slug"]):
        page.goto(f"/merchants/{store['slug']}/")
        box = page.locator(".cz-cashback-box")
        expect(box).to_contain_text(f"Usually confirms in about {store['median']} days")
        expect(box).not_to_contain_text("the network's typical time")
        # and they click out to two of its deals, and beat runs
        click_id = click_out(page, store["slug"], 0)
        click_out(page, store["slug"], 1)
    # (and, for later, the network reports their sale: pending)
    sale = shell_json(live_env, BEAT_AND_SALE.format(click_id=click_id))
    assert sale["refreshed"] >= 1 and sale["status"] == "pending"

    # then the home page picks offers for them, that store's first, and says why
    page.goto("/")
    expect(rail.get_by_role("heading", name="Picked for you")).to_be_visible()
    expect(rail).to_contain_text(re.compile(r"Because you shop"))
    expect(rail.locator(".cz-offer").first).to_contain_text(store["name"])
    assert_fits_the_screen(page)
    snapshot(page, "insight-for-you")  # insight-for-you-phone.png: the whole home page
    rail.screenshot(path=ARTIFACTS / "insight-for-you-rail-phone.png", animations="disabled")

    # and the tracker shows when it will likely be confirmed, and the share confirmed by then
    page.goto("/wallet/?tab=cashback")
    entry = page.locator(f"#cashback-{sale['event']}")
    expect(entry).to_contain_text("Pending")
    first = today() + timedelta(days=store["low"])
    last = today() + timedelta(days=store["high"])
    expect(entry).to_contain_text(likely(first, last))
    expect(entry).to_contain_text(f"80% of {store['name']}'s cashback is confirmed by then")
    assert_fits_the_screen(page)
    snapshot(page, "insight-cashback-tracker")  # insight-cashback-tracker-phone.png
    page.locator("section[aria-labelledby=tracker-title]").screenshot(
        path=ARTIFACTS / "insight-cashback-range-phone.png", animations="disabled"
    )

    # and the API gives the same range
    api = page.request.get("/api/v1/wallet/cashback/")
    assert api.ok, api.status
    rows = api.json()
    rows = rows.get("results", rows) if isinstance(rows, dict) else rows
    arrival = next(row for row in rows if row["id"] == sale["event"])["expected_arrival"]
    assert (arrival["from"], arrival["to"]) == (first.isoformat(), last.isoformat())
    assert (arrival["share"], arrival["basis"]) == (80, "store")


# --- 3. The referral leaderboard ----------------------------------------------------------------

# The referrer's friend signs up with their code; the friend's first cashback, confirmed through
# the wallet's services, pays the referrer's bonus.
FRIEND_CONFIRMED = """
import dataclasses
from offers.models import Offer
from offers.tests.factories import ClickFactory
from wallet.networks.base import SaleStatus
from wallet.services.cashback import cashback_report
from wallet.tests.factories import sale_for
friend = User.objects.create_user(
    {friend!r}, "a long enough passphrase", full_name="Friend Person", referred_by=u
)
offer = Offer.objects.filter(merchant__affiliate_network="admitad").order_by("pk").first()
click = ClickFactory(user=friend, offer=offer, merchant=offer.merchant)
sale = sale_for(click, network="admitad")
cashback_report(sale=sale)
cashback_report(sale=dataclasses.replace(sale, status=SaleStatus.CONFIRMED))
"""


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_the_referral_leaderboard_signed_out_signed_in_and_in_hindi(page, live_env):
    # signed out: the boards, and how to get on them
    page.goto("/referrals/leaderboard/")
    expect(page.get_by_role("heading", name="Top referrers", level=1)).to_be_visible()
    expect(page.get_by_test_id("board-this")).to_be_visible()
    expect(page.get_by_test_id("board-last")).to_be_visible()
    expect(page.get_by_test_id("your-place")).to_contain_text("Get on the board")
    expect(page.get_by_test_id("your-rank")).to_have_count(0)
    assert_fits_the_screen(page)

    # given a shopper whose friend's first cashback was confirmed this month
    email, _key, referrer = user_script(staff=False)
    friend = email.replace("@", "-friend@")
    shell(live_env, referrer + FRIEND_CONFIRMED.format(friend=friend))

    # when they sign in, the page shows their own place and the ₹100 bonus
    sign_in(page, email)
    page.goto("/referrals/leaderboard/")
    rank = page.get_by_test_id("your-rank")
    expect(rank).to_contain_text(re.compile(r"You're number \d+ this month, with ₹100\.00"))
    place = number(re.search(r"number (\d+)", rank.inner_text()).group(1))
    if place <= 10:  # on the top 10: their row, marked, with their name as first name + initial
        you = page.get_by_test_id("board-this").locator("li.cz-you")
        expect(you).to_contain_text("Journey P.")
        expect(you).to_contain_text("You")
    assert_fits_the_screen(page)
    snapshot(page, "insight-leaderboard")

    # and in Hindi the page reads in Hindi, month names too
    page.locator("footer").get_by_role("button", name="हिंदी").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", level=1)).to_have_text("टॉप रेफ़रर")
    board = page.get_by_test_id("board-this")
    expect(board).to_contain_text("में कमाए गए रेफ़रल बोनस")
    expect(board).not_to_contain_text("Referral bonuses earned in")
    expect(board).not_to_contain_text(f"{today():%B}")
    assert_fits_the_screen(page)
    snapshot(page, "insight-leaderboard-hindi")
