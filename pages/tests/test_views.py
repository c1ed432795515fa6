"""The footer's site pages: reachable from every page, in the reader's language with English
where Hindi is missing, safe whatever an operator types, and edited in the admin."""

import pytest
from django.utils import translation

from accounts.models import User
from accounts.tests.factories import PASSWORD, sign_in_verified
from pages import demo
from pages.models import Page

pytestmark = pytest.mark.django_db

FOOTER_SLUGS = ["about", "help", "terms", "privacy", "contact"]


@pytest.fixture
def seeded():
    demo.seed(lambda line: None)


def test_the_footer_links_to_about_help_terms_privacy_and_contact_and_each_page_opens(
    client, seeded
):
    home = client.get("/").content.decode()

    for slug in FOOTER_SLUGS:
        assert f'href="/pages/{slug}/"' in home
        page = client.get(f"/pages/{slug}/")
        assert page.status_code == 200
        with translation.override("en"):
            assert Page.objects.get(slug=slug).title in page.content.decode()


def test_the_help_page_states_the_withdrawal_minimum_from_the_settings(client, seeded, settings):
    text = client.get("/pages/help/").content.decode()

    assert "at least ₹100" in text
    assert "pending" in text and "confirmed" in text
    # each question heads its answer
    assert '<h2 class="h6 fw-bold mt-4 mb-1">How do I earn cashback?</h2>' in text


def test_a_hindi_reader_gets_the_hindi_page_and_footer(client, seeded):
    client.cookies["django_language"] = "hi"

    text = client.get("/pages/help/").content.decode()

    assert "सहायता और अक्सर पूछे जाने वाले सवाल" in text
    assert "लंबित" in text and "पक्का" in text
    assert "Help and FAQ" not in text


def test_a_page_without_hindi_text_shows_the_english_to_a_hindi_reader(client):
    Page.objects.create(slug="about", title_en="About Coupzii", body_en="We save you money.")
    client.cookies["django_language"] = "hi"

    text = client.get("/pages/about/").content.decode()

    assert "About Coupzii" in text
    assert "We save you money." in text


def test_html_typed_into_a_page_is_shown_as_text_and_never_runs(client):
    Page.objects.create(
        slug="about",
        title_en="About <b>us</b>",
        body_en="Hello <script>alert(1)</script>\n\nMail support@coupzii.in or https://coupzii.in",
    )

    text = client.get("/pages/about/").content.decode()

    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "About &lt;b&gt;us&lt;/b&gt;" in text
    assert '<a href="mailto:support@coupzii.in">' in text
    assert "<p>Mail" in text  # the blank line started a new paragraph


def test_an_unpublished_or_unknown_page_is_not_found(client):
    Page.objects.create(slug="about", title_en="About", body_en="Draft.", is_published=False)

    assert client.get("/pages/about/").status_code == 404
    assert client.get("/pages/nothing-here/").status_code == 404


def test_an_operator_edits_the_english_and_hindi_text_in_the_admin(client, seeded):
    operator = User.objects.create_superuser("ops@coupzii.in", PASSWORD)
    sign_in_verified(client, operator)
    page = Page.objects.get(slug="contact")

    form = client.get(f"/admin/pages/page/{page.pk}/change/").content.decode()
    assert 'name="title_en"' in form and 'name="title_hi"' in form
    response = client.post(
        f"/admin/pages/page/{page.pk}/change/",
        {
            "title_en": "Contact",
            "title_hi": "संपर्क",
            "slug": "contact",
            "summary_en": "",
            "summary_hi": "",
            "body_en": "Write to help@coupzii.in.",
            "body_hi": "help@coupzii.in पर लिखें।",
            "is_published": "on",
        },
    )

    assert response.status_code == 302
    assert "Write to" in client.get("/pages/contact/").content.decode()
    client.cookies["django_language"] = "hi"
    assert "पर लिखें" in client.get("/pages/contact/").content.decode()
