"""Every page sends a Content-Security-Policy and a Permissions-Policy; inline code is nonced."""

import re
from pathlib import Path

import pytest

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def test_a_page_allows_only_its_own_scripts_and_those_with_its_nonce(client):
    response = client.get("/")

    policy = directives(response)
    nonce = re.search(r"'nonce-([^']+)'", " ".join(policy["script-src"])).group(1)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert policy["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    # the page's own inline scripts and brand colours carry that nonce
    html = response.content.decode()
    inline = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline
    for tag, attributes in inline:
        if 'type="application/json"' in attributes:
            continue  # data, never run
        assert f'nonce="{nonce}"' in attributes, (tag, attributes)


def test_each_response_gets_a_fresh_nonce(client):
    first = directives(client.get("/"))["script-src"]
    second = directives(client.get("/"))["script-src"]

    assert first != second


def test_permissions_policy_switches_off_camera_and_location_and_keeps_the_microphone_home(client):
    header = client.get("/")["Permissions-Policy"]

    features = dict(item.split("=", 1) for item in header.split(", "))
    assert features["camera"] == "()"
    # The assistant's voice questions: the site's own pages only, no embedded frame.
    assert features["microphone"] == "(self)"
    assert features["geolocation"] == "()"
    assert features["payment"].startswith("(self ")


def test_the_api_docs_run_swagger_ui_without_inline_script(client):
    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    html = page.content.decode()
    assert '<script src="/api/docs/?' in html
    assert not re.search(r"<script>(?!\s*</script>)", html)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_admin_allows_its_inline_styles_but_the_shop_does_not(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.login(email=staff.email, password=PASSWORD)

    admin = directives(client.get("/admin/login/"))
    shop = directives(client.get("/"))

    assert "'unsafe-inline'" in admin["style-src"]
    assert "'unsafe-inline'" not in admin["script-src"]
    assert "'unsafe-inline'" not in shop["style-src"]


@pytest.mark.parametrize(
    "pattern",
    [
        r"<script(?![^>]*\b(src|nonce|type=\"application/json\"))[^>]*>",
        r"<style(?![^>]*\bnonce=)[^>]*>",
        r"\sstyle=\"",
        r"\son[a-z]+=\"",
        r"javascript:",
    ],
)
def test_no_template_has_inline_code_the_policy_would_refuse(pattern):
    # Emails are read in mail clients, where inline styles are the only styles.
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "email" not in path.parts and re.search(pattern, path.read_text())
    ]

    assert offenders == []
