"""The referral leaderboard page (/referrals/leaderboard/) and its API: this month's and last
month's top referrers, named as each shopper chose, and the viewer's own place."""

import re
from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_redis import get_redis_connection
from rest_framework.test import APIClient

from accounts.models import PublicName
from accounts.tests.factories import UserFactory
from wallet import leaderboard, tasks
from wallet.selectors import leaderboard_month, public_name
from wallet.tests.factories import confirmed_cashback

pytestmark = pytest.mark.django_db

PAGE = "/referrals/leaderboard/"
API = "/api/v1/referrals/leaderboard/"


def _last_month_noon():
    """The 15th of last month at noon in the site's time zone."""
    day = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=15)
    return timezone.make_aware(datetime.combine(day, time(12)))


def _refer(referrer, friends: int, *, capture) -> None:
    """`friends` friends of `referrer` each get their first cashback confirmed: one referral
    bonus (₹100) each for the referrer, through the real flow."""
    with capture(execute=True):  # the board is updated on commit
        for _ in range(friends):
            confirmed_cashback(UserFactory(referred_by=referrer), "20.00")


def _refer_last_month(referrer, friends: int, *, capture) -> None:
    # The clock, not our logic, is moved: the bonuses are paid as they were last month.
    with mock.patch("django.utils.timezone.now", return_value=_last_month_noon()):
        _refer(referrer, friends, capture=capture)


def _section(html: str, key: str) -> str:
    match = re.search(rf'data-testid="board-{key}"(.*?)</section>', html, re.S)
    assert match, f"no {key} board on the page"
    return match.group(1)


def _names(section: str) -> list[str]:
    rows = re.findall(r'<li class="[^"]*">(.*?)</li>', section, re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", row).split("Rank")[1].split()[1:] for row in rows]


def _shown(html: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)</p>', html, re.S)
    assert match, f"no element {name!r} on the page"
    return re.sub(r"\s+", " ", match.group(1)).strip()


# --- Names as each shopper chose --------------------------------------------------------------


@pytest.mark.parametrize(
    ("full_name", "choice", "shown"),
    [
        ("Asha Verma", PublicName.FIRST_AND_INITIAL, "Asha V."),
        ("Asha Rani Verma", PublicName.FIRST_AND_INITIAL, "Asha V."),
        ("Asha", PublicName.FIRST_AND_INITIAL, "Asha"),
        ("  Asha   Rani Verma ", PublicName.FULL, "Asha Rani Verma"),
        ("Asha Verma", PublicName.HIDDEN, "A Coupzii shopper"),
        ("", PublicName.FIRST_AND_INITIAL, "A Coupzii shopper"),  # never the email
        ("", PublicName.FULL, "A Coupzii shopper"),
    ],
)
def test_a_shoppers_public_name_is_what_they_chose(full_name, choice, shown):
    user = UserFactory.build(full_name=full_name, public_name=choice, email="asha.v@example.in")

    assert public_name(user) == shown


def test_last_month_is_the_month_before_this_one_across_a_new_year():
    today = timezone.localdate().replace(year=2027, month=1, day=31)

    assert leaderboard_month("this", today=today) == "2027-01"
    assert leaderboard_month("last", today=today) == "2026-12"


# --- The page ---------------------------------------------------------------------------------


def test_the_page_shows_this_and_last_months_boards_with_names_as_chosen(
    client, django_capture_on_commit_callbacks
):
    # given three referrers this month with different name choices, and one last month
    capture = django_capture_on_commit_callbacks
    first = UserFactory(full_name="Ravi Kumar", public_name=PublicName.FULL)
    second = UserFactory(full_name="Meera Iyer", public_name=PublicName.HIDDEN)
    third = UserFactory(full_name="Kabir Shah")  # the default: first name and initial
    veteran = UserFactory(full_name="Neha Gupta")
    _refer(first, 3, capture=capture)
    _refer(second, 2, capture=capture)
    _refer(third, 1, capture=capture)
    _refer_last_month(veteran, 2, capture=capture)

    # when a signed-out visitor opens the page
    response = client.get(PAGE)

    # then
    assert response.status_code == 200
    html = response.content.decode()
    this_month, last_month = _section(html, "this"), _section(html, "last")
    assert _names(this_month) == [
        ["Ravi", "Kumar", "₹300.00"],
        ["A", "Coupzii", "shopper", "₹200.00"],
        ["Kabir", "S.", "₹100.00"],
    ]
    assert _names(last_month) == [["Neha", "G.", "₹200.00"]]
    assert "Meera" not in html and "Shah" not in html and "Gupta" not in html
    assert timezone.localdate().strftime("%B %Y") in this_month
    assert _last_month_noon().strftime("%B %Y") in last_month
    # no one's own place for a visitor, but a way to join
    assert "Get on the board" in html and 'data-testid="your-rank"' not in html
    assert f'href="{reverse("account_signup")}"' in html


def test_the_viewer_sees_their_place_and_earnings_below_the_top_ten(
    client, django_capture_on_commit_callbacks
):
    # given ten referrers ahead of the viewer this month, and the viewer 1st last month
    capture = django_capture_on_commit_callbacks
    viewer = UserFactory(full_name="Asha Verma")
    for _ in range(10):
        _refer(UserFactory(full_name="Top Referrer"), 2, capture=capture)
    _refer(viewer, 1, capture=capture)
    _refer_last_month(viewer, 3, capture=capture)
    client.force_login(viewer)

    html = client.get(PAGE).content.decode()

    assert len(_names(_section(html, "this"))) == 10
    assert "cz-you" not in _section(html, "this")
    assert _shown(html, "your-rank") == (
        "You're number 11 this month, with ₹100.00 in referral bonuses."
    )
    assert _shown(html, "your-last-rank") == "Last month you were number 1, with ₹300.00."
    assert "cz-you" in _section(html, "last")
    assert f'href="{reverse("profile")}"' in html


def test_a_viewer_not_on_the_board_gets_their_link_to_invite_a_friend(client):
    viewer = UserFactory(full_name="Asha Verma")
    client.force_login(viewer)

    html = client.get(PAGE).content.decode()

    assert "Not on the board yet: invite a friend" in _shown(html, "your-rank")
    link = f"http://testserver{reverse('account_signup')}?ref={viewer.referral_code}"
    assert f'value="{link}"' in html
    assert 'data-testid="your-last-rank"' not in html


def test_an_empty_month_says_so(client):
    html = client.get(PAGE).content.decode()

    assert "Nobody has earned a referral bonus this month yet" in _section(html, "this")
    month = _last_month_noon().strftime("%B %Y")
    assert f"Nobody earned a referral bonus in {month}." in _section(html, "last")


def test_a_name_changed_in_settings_shows_at_once(client, django_capture_on_commit_callbacks):
    # given a referrer on the board under the default name
    referrer = UserFactory(full_name="Ravi Kumar")
    _refer(referrer, 1, capture=django_capture_on_commit_callbacks)
    assert ["Ravi", "K.", "₹100.00"] in _names(_section(client.get(PAGE).content.decode(), "this"))
    # when they hide it on their profile
    client.force_login(referrer)
    client.post(
        reverse("profile"), {"full_name": "Ravi Kumar", "language": "en", "public_name": "hidden"}
    )
    client.logout()
    # then visitors no longer see it
    html = client.get(PAGE).content.decode()
    assert _names(_section(html, "this")) == [["A", "Coupzii", "shopper", "₹100.00"]]
    assert "Ravi" not in html


def test_the_page_is_translated(client):
    client.cookies["django_language"] = "hi"

    html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="hi").content.decode()

    assert 'lang="hi"' in html
    assert "टॉप रेफ़रर" in html  # "Top referrers"


def test_the_page_answers_only_reads():
    response = APIClient().post(PAGE)

    assert response.status_code == 405


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_page_makes_the_same_number_of_queries_for_1_or_10_referrers(
    client, django_capture_on_commit_callbacks, signed_in
):
    capture = django_capture_on_commit_callbacks
    viewer = UserFactory(full_name="Asha Verma")
    if signed_in:
        client.force_login(viewer)

    def queries() -> int:
        client.get(PAGE)  # the boards are built from the ledger on the first read of a month
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PAGE).status_code == 200
        return len(captured)

    _refer(UserFactory(), 1, capture=capture)
    _refer_last_month(UserFactory(), 1, capture=capture)
    one = queries()
    for _ in range(9):
        _refer(UserFactory(full_name="Some Body"), 1, capture=capture)
        _refer_last_month(UserFactory(full_name="Some Body"), 1, capture=capture)
    ten = queries()

    assert one == ten
    # the two boards' names in one query each, plus the session and user when signed in
    assert ten == (4 if signed_in else 2)


def test_the_referrals_page_links_to_the_leaderboard(client):
    client.force_login(UserFactory())

    html = client.get(reverse("referrals")).content.decode()

    assert f'href="{PAGE}"' in html


# --- The API ----------------------------------------------------------------------------------


@pytest.fixture
def api():
    viewer = UserFactory(full_name="Asha Verma")
    client = APIClient()
    client.force_authenticate(viewer)
    client.viewer = viewer
    return client


def test_the_api_answers_this_or_last_month(api, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    _refer(UserFactory(full_name="Ravi Kumar", public_name=PublicName.FULL), 2, capture=capture)
    _refer(api.viewer, 1, capture=capture)
    _refer_last_month(api.viewer, 1, capture=capture)

    this_month = api.get(API, {"month": "this"}).json()
    default = api.get(API).json()
    last_month = api.get(API, {"month": "last"}).json()

    assert this_month == default
    assert this_month == {
        "month": timezone.localdate().strftime("%Y-%m"),
        "rows": [
            {"rank": 1, "name": "Ravi Kumar", "earned": "200.00", "is_you": False},
            {"rank": 2, "name": "Asha V.", "earned": "100.00", "is_you": True},
        ],
        "your_rank": 2,
        "your_earned": "100.00",
    }
    assert last_month == {
        "month": _last_month_noon().strftime("%Y-%m"),
        "rows": [{"rank": 1, "name": "Asha V.", "earned": "100.00", "is_you": True}],
        "your_rank": 1,
        "your_earned": "100.00",
    }


def test_the_api_hides_a_hidden_name(api, django_capture_on_commit_callbacks):
    hidden = UserFactory(full_name="Meera Iyer", public_name=PublicName.HIDDEN)
    _refer(hidden, 1, capture=django_capture_on_commit_callbacks)

    response = api.get(API, {"month": "this"})

    assert response.json()["rows"][0]["name"] == "A Coupzii shopper"
    assert "Meera" not in response.content.decode()


@pytest.mark.parametrize("month", ["next", "This", "previous", "2025-13"])
def test_the_api_refuses_an_unknown_month(api, month):
    response = api.get(API, {"month": month})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"month"}
    assert '"this", "last" or YYYY-MM' in response.json()["error"]["fields"]["month"][0]


def test_the_api_makes_the_same_number_of_queries_for_1_or_10_referrers(
    api, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks

    def queries() -> int:
        api.get(API, {"month": "last"})
        with CaptureQueriesContext(connection) as captured:
            assert api.get(API, {"month": "last"}).status_code == 200
        return len(captured)

    _refer_last_month(UserFactory(), 1, capture=capture)
    one = queries()
    for _ in range(9):
        _refer_last_month(UserFactory(), 1, capture=capture)

    assert queries() == one == 1


def test_the_nightly_rebuild_refills_last_months_board_too(django_capture_on_commit_callbacks):
    # given a bonus last month and one this month, then Redis lost everything
    capture = django_capture_on_commit_callbacks
    veteran = UserFactory(full_name="Neha Gupta")
    _refer_last_month(veteran, 2, capture=capture)
    _refer(UserFactory(), 1, capture=capture)
    cache.clear()

    # when the nightly task runs
    assert tasks.rebuild_leaderboard() == 2

    # then last month's board is in Redis again, from the ledger
    redis = get_redis_connection("default")
    assert redis.zscore(leaderboard.month_key(leaderboard_month("last")), veteran.pk) == 20000
