"""The operators' dashboard at /admin/: who may see it, what it shows for the chosen dates, the
range picker's checks, and a fixed number of queries whatever the range."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, sign_in_verified

from .rollup_rows import rollup_history

pytestmark = pytest.mark.django_db

CHART_KEYS = [
    "revenue",
    "orders-by-status",
    "traffic",
    "cashback",
    "top-stores-clicks",
    "top-stores-commission",
    "sales-by-category",
    "funnel",
]


@pytest.fixture
def operator_client(client):
    sign_in_verified(client, User.objects.create_superuser("ops@coupzii.in", PASSWORD))
    return client


def charts_of(response) -> dict:
    return {chart.key: chart for row in response.context["chart_rows"] for chart in row}


# --- Who sees it ------------------------------------------------------------------------------


def test_the_admin_home_is_the_dashboard_and_keeps_its_name(operator_client):
    response = operator_client.get(reverse("admin:index"))

    html = response.content.decode()
    assert reverse("admin:index") == "/admin/"
    assert response.status_code == 200
    assert 'id="cz-dash-title"' in html
    # The admin's own index is still there, under the dashboard: its apps and models.
    assert 'href="/admin/commerce/order/"' in html
    assert "Recent actions" in html
    # The health panel (Redis, queues, beat) is part of it.
    assert 'id="cz-health-title"' in html


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/dashboard/export/revenue.csv").status_code == 302


def test_shoppers_cannot_open_it_even_with_two_factor(client):
    sign_in_verified(client, UserFactory())

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_a_second_factor_must_pass_one_first(client):
    client.force_login(User.objects.create_superuser("new-ops@coupzii.in", PASSWORD))

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/2fa/setup/")
    export = client.get("/admin/dashboard/export/funnel.xlsx")
    assert export.status_code == 302


# --- What it shows ------------------------------------------------------------------------------


def test_every_chart_has_its_table_and_downloads_for_the_chosen_dates(operator_client):
    today = timezone.localdate()
    rollup_history(today)

    response = operator_client.get("/admin/", {"days": 7})

    html = response.content.decode()
    start = today - timedelta(days=6)
    query = f"start={start.isoformat()}&amp;end={today.isoformat()}"
    for key in CHART_KEYS:
        assert f'id="cz-chart-{key}" type="application/json"' in html, key
        assert f'data-cz-chart="cz-chart-{key}"' in html, key
        assert f'href="/admin/dashboard/export/{key}.csv?{query}"' in html, key
        assert f'href="/admin/dashboard/export/{key}.xlsx?{query}"' in html, key
    charts = charts_of(response)
    # Seven days, the 3-day-old figures among them, as the table shows them.
    assert len(charts["revenue"].rows) == 7
    assert charts["top-stores-clicks"].rows[0][0][0] == "Myntra"
    assert charts["top-stores-clicks"].rows[0][1][0] == "120"  # 40 today + 80 three days ago
    funnel = {row[0][0]: [cell for cell, _figure in row[1:]] for row in charts["funnel"].rows}
    assert funnel["Clicks to stores"][0] == "134"
    assert funnel["Sales reported"] == ["6", "4.5%", "₹301.00"]


def test_the_page_draws_charts_without_any_inline_script(operator_client):
    response = operator_client.get("/admin/")

    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "/static/js/admin_dashboard.js" in html


def test_an_empty_shop_shows_zeros_and_empty_tables(operator_client):
    response = operator_client.get("/admin/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing to show for these dates." in html  # top stores, categories
    assert "₹0.00" in html


def test_the_page_reads_in_hindi_with_the_locale_s_month_names(operator_client):
    today = timezone.localdate()
    rollup_history(today)
    operator_client.cookies["django_language"] = "hi"

    response = operator_client.get("/admin/", {"days": 7})

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "hi"
    revenue = charts_of(response)["revenue"]
    with translation.override("hi"):
        month = formats.date_format(today, "M")
    assert revenue.config["labels"][-1] == f"{today.day} {month}"
    assert revenue.config["labels"][-1] != f"{today.day} {today.strftime('%b')}"


# --- The range picker -------------------------------------------------------------------------


@pytest.mark.parametrize("days", [7, 30, 90, 365])
def test_a_preset_shows_that_many_days_ending_today(operator_client, days):
    today = timezone.localdate()

    response = operator_client.get("/admin/", {"days": days})

    assert (response.context["start"], response.context["end"]) == (
        today - timedelta(days=days - 1),
        today,
    )
    assert response.context["preset"] == days


def test_chosen_dates_show_those_days(operator_client):
    response = operator_client.get("/admin/", {"start": "2026-01-05", "end": "2026-02-03"})

    charts = charts_of(response)
    assert str(response.context["start"]) == "2026-01-05"
    assert len(charts["revenue"].rows) == 30
    assert response.context["preset"] is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-02-03", "end": "2026-01-05"}, "on or after the start date"),
        ({"start": "2024-01-01", "end": "2025-01-01"}, "at most 366 days"),
        ({"start": "2026-13-45", "end": "2026-12-01"}, "Enter a valid date"),
        ({"start": "2026-11-01"}, "Give both dates"),
        ({"days": "12"}, "Pick one of the ranges offered."),
        ({"days": "abc"}, "Pick one of the ranges offered."),
        ({"start": "2999-01-01", "end": "2999-01-02"}, "in the future"),
    ],
)
def test_dates_it_cannot_show_say_why_and_show_the_last_30_days(operator_client, query, message):
    today = timezone.localdate()

    response = operator_client.get("/admin/", query)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "showing the last 30 days" in html
    assert response.context["start"] == today - timedelta(days=29)
    assert "Select a valid choice" not in html


def test_refused_dates_stay_in_the_inputs_as_typed(operator_client):
    today = timezone.localdate()

    response = operator_client.get("/admin/", {"start": "2026-11-30", "end": "2026-10-01"})

    html = response.content.decode()
    assert 'name="start" id="id_start" value="2026-11-30"' in html
    assert 'name="end" id="id_end" value="2026-10-01"' in html
    # The figures, and the header's dates, are the last 30 days, as the message says.
    assert "showing the last 30 days" in html
    assert response.context["start"] == today - timedelta(days=29)
    assert len(charts_of(response)["revenue"].rows) == 30


def test_shown_dates_fill_the_inputs(operator_client):
    today = timezone.localdate()

    response = operator_client.get("/admin/", {"days": 7})

    html = response.content.decode()
    start = (today - timedelta(days=6)).isoformat()
    assert f'name="start" id="id_start" value="{start}"' in html
    assert f'name="end" id="id_end" value="{today.isoformat()}"' in html


def test_range_errors_show_under_the_header_not_in_it(operator_client):
    response = operator_client.get("/admin/", {"start": "2026-11-30", "end": "2026-10-01"})

    html = response.content.decode()
    header_at = html.index('<header class="cz-dash-head">')
    header_end = html.index("</header>", header_at)
    header = html[header_at:header_end]
    assert "errorlist" not in header
    assert 'aria-describedby="cz-range-errors"' in header
    errors_at = html.index('id="cz-range-errors"')
    assert header_end < errors_at < html.index('class="cz-cards"')
    assert "on or after the start date" in html[errors_at:]


def test_the_funnel_says_a_step_can_exceed_the_one_before(operator_client):
    response = operator_client.get("/admin/")

    html = response.content.decode()
    funnel = html[html.index('id="cz-chart-funnel-box"') :]
    assert '<p class="cz-note">Each step counts what happened in these dates' in funnel


# --- Speed ----------------------------------------------------------------------------------------


def test_the_page_reads_the_same_number_of_queries_for_a_week_and_a_year(operator_client):
    rollup_history(timezone.localdate())
    operator_client.get("/admin/", {"days": 30})  # sessions, permissions, content types warm

    def queries(days: int) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            operator_client.get("/admin/", {"days": days})
        return [query["sql"] for query in captured]

    # First read of each range (its figures from the rollups), then again (figures cached).
    week, year = queries(7), queries(365)
    assert len(week) == len(year)
    assert len(year) <= 30, [sql[:120] for sql in year]
    assert len(queries(7)) == len(queries(365)) < len(year)
