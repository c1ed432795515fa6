"""The pages every later page builds on: home, language switch, error pages, sign-in."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_home_page_shows_the_header_hero_and_footer(client):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Save on every order" in html
    assert 'href="/accounts/login/' in html  # signed out: a sign-in button
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "cdn" not in html.lower()


def test_home_page_greets_a_signed_in_shopper_and_offers_sign_out(client):
    client.force_login(UserFactory(full_name="Asha Verma"))

    html = client.get("/").content.decode()

    assert "Welcome back, Asha" in html
    assert 'action="/accounts/logout/"' in html


def test_switching_to_hindi_translates_the_site(client):
    response = client.post("/i18n/setlang/", {"language": "hi", "next": "/"})

    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="hi">' in html
    assert "हर ऑर्डर पर बचत" in html
    assert "साइन इन" in html


def test_browser_language_picks_hindi_for_a_first_visit(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="hi-IN,hi;q=0.9").content.decode()

    assert '<html lang="hi">' in html


def test_unknown_page_shows_the_styled_404(client, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "We couldn't find that page" in html
    assert "Go to the home page" in html
    assert "cz-header" in html  # the site's own layout, not Django's plain page


@pytest.mark.parametrize("path", ["/no-such-page/", "/no-such-page", "/merchants/no-such-store/"])
def test_the_embedded_default_shows_the_sites_404_too_not_djangos_technical_page(
    client, settings, path
):
    # given the embedded default: DEBUG on
    settings.DEBUG = True

    response = client.get(path, follow=True)

    html = response.content.decode()
    assert response.status_code == 404
    assert "We couldn't find that page" in html and "cz-header" in html
    assert "URLconf" not in html and "DEBUG = True" not in html
    assert 'name="csrfmiddlewaretoken"' in html  # its language switch still works
    assert response.cookies.get("csrftoken")


def test_a_developer_can_still_ask_for_djangos_technical_404(client, settings):
    settings.DEBUG = True
    settings.DEBUG_TECHNICAL_404 = True

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "URLconf" in response.content.decode()


def test_the_site_has_a_favicon_linked_from_every_page_and_at_favicon_ico(client):
    html = client.get("/").content.decode()
    icons = re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="([^"]+)"', html)

    assert "/static/img/favicon.ico" in icons and "/static/img/apple-touch-icon.png" in icons
    for icon in icons:
        assert finders.find(icon.removeprefix("/static/")), icon
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/img/favicon.ico"


@pytest.mark.urls("coupzii.tests.raising_urls")
def test_a_server_error_shows_the_styled_500_without_details(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get("/broken/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "simulated failure" not in html


def test_sign_out_needs_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert client.get("/").context["user"].is_anonymous
