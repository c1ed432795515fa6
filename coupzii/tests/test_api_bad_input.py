"""Bad bodies anywhere in the API: deep nesting, non-finite numbers, NUL in text, too large or
too many fields. Each is a 400 (413 for size) in the API's error shape, never a 500, and
nothing is written."""

import json
import re

import pytest
from django.urls import URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from coupzii.core.parsers import MAX_DEPTH, UnsafeJson, loads_checked

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000  # 2 KB that Python's json module recurses a thousand times over
SIGNED_OUT_POSTS = [
    "/api/v1/auth/login/",
    "/api/v1/auth/register/",
    "/api/v1/auth/refresh/",
    "/api/v1/auth/phone/request/",
]


@pytest.fixture
def api():
    return APIClient()


def error_of(response) -> dict:
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body["error"]) >= {"code", "message", "fields"}
    return body["error"]


@pytest.mark.parametrize("url", SIGNED_OUT_POSTS)
def test_json_nested_a_thousand_deep_answers_400_parse_error(api, url):
    response = api.post(url, DEEP, content_type="application/json")

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "parse_error"
    assert "levels deep" in error["message"]


def test_json_just_past_the_depth_limit_is_refused_and_at_it_is_read():
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH

    assert loads_checked(at_limit) == json.loads(at_limit)
    with pytest.raises(UnsafeJson):
        loads_checked("[" + at_limit + "]")


def test_deep_json_to_a_signed_in_endpoint_answers_400(api):
    api.force_authenticate(User.objects.create_user(email="asha@example.com", password="x"))

    response = api.post("/api/v1/cart/validate/", DEEP, content_type="application/json")

    assert response.status_code == 400
    assert error_of(response)["code"] == "parse_error"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_non_finite_numbers_answer_400(api, number):
    body = f'{{"email": "asha@example.com", "password": "long enough pw", "n": {number}}}'

    response = api.post("/api/v1/auth/register/", body, content_type="application/json")

    assert response.status_code == 400
    assert error_of(response)["code"] == "parse_error"
    assert not User.objects.exists()


def test_a_nul_in_any_json_string_answers_400_naming_where(api):
    body = {"email": "asha@example.com", "password": "long enough pw", "full_name": "As\u0000ha"}

    response = api.post("/api/v1/auth/register/", body, format="json")

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "parse_error"
    assert "full_name" in error["message"]
    assert not User.objects.exists()


def test_a_nul_in_a_json_key_answers_400(api):
    response = api.post("/api/v1/auth/login/", '{"e\\u0000": 1}', content_type="application/json")

    assert response.status_code == 400
    assert error_of(response)["code"] == "parse_error"


def test_a_body_over_the_size_limit_answers_413_in_the_api_shape(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"email": "a" * 20_000 + "@example.com", "password": "x"})

    response = api.post("/api/v1/auth/login/", body, content_type="application/json")

    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"


def test_a_form_over_the_size_limit_answers_413_in_the_api_shape(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = "email=" + "a" * 20_000

    response = api.post(
        "/api/v1/auth/login/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"


def test_too_many_form_fields_answer_400_in_the_api_shape(api, settings):
    body = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    response = api.post(
        "/api/v1/auth/login/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "too_many_fields"


def test_an_ordinary_json_body_still_reads(api):
    body = {"email": "asha@example.com", "password": "a long enough password", "n": 1.5}

    response = api.post("/api/v1/auth/register/", body, format="json")

    assert response.status_code == 201
    assert User.objects.filter(email="asha@example.com").exists()


def api_paths() -> list[str]:
    """Every route under /api/, its path parameters filled with a placeholder."""

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                yield route

    routes = [route for route in walk(get_resolver().url_patterns, "") if route.startswith("api/")]
    return sorted({"/" + re.sub(r"<(?:\w+:)?\w+>", "placeholder", route) for route in routes})


def test_every_api_route_is_probed():
    paths = api_paths()

    assert "/api/v1/notifications/read-all/" in paths
    assert len(paths) > 40


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_options_answers_every_api_route_without_a_server_error(signed_in):
    api = APIClient(raise_request_exception=False)
    if signed_in:
        api.force_authenticate(UserFactory())

    failing = {path: api.options(path).status_code for path in api_paths()}

    assert {path: code for path, code in failing.items() if code >= 500} == {}


def test_options_on_mark_all_read_describes_the_endpoint():
    api = APIClient()
    api.force_authenticate(UserFactory())

    response = api.options("/api/v1/notifications/read-all/")

    assert response.status_code == 200
    assert response.json()["name"] == "Notification Read All"


@pytest.mark.parametrize("url", ["/api/v1/products/a%00b/", "/api/v1/offers/a%00b/"])
def test_a_nul_in_an_api_path_answers_400_in_the_api_shape(api, url):
    response = api.get(url)

    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["message"]) == (
        "invalid",
        "The address contains a NUL character (%00).",
    )


@pytest.mark.parametrize(
    ("url", "field"),
    [("/api/v1/products/?category=a%00b", "category"), ("/api/v1/search/?q=a%00b", "q")],
)
def test_a_nul_in_an_api_query_parameter_is_refused_naming_it(api, url, field):
    response = api.get(url)

    assert response.status_code == 400
    assert field in error_of(response)["fields"]


@pytest.mark.parametrize("url", ["/search/?q=a%00b", "/merchants/?q=%00", "/checkout/pay/a%00b/"])
def test_a_nul_in_a_page_url_answers_the_400_page(client, url):
    response = client.get(url)

    assert response.status_code == 400
    assert "read that request" in response.content.decode()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/products/a%00b/",
        "/api/v1/orders/a%00b/",
        "/api/v1/products/?category=a%00b",
        "/api/v1/search/?q=a%00b",
        "/search/?q=a%00b",
        "/merchants/?q=%00",
    ],
)
def test_on_postgresql_a_nul_in_a_url_is_a_400_not_a_data_error(client, url):
    client.force_login(UserFactory())

    assert client.get(url).status_code == 400


@pytest.mark.parametrize("key", ["order\x00one", "order\x1bone"])
def test_an_idempotency_key_with_a_control_character_is_refused(api, key):
    api.force_authenticate(UserFactory())

    response = api.post("/api/v1/checkout/orders/", {}, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_idempotency_key"
    assert error["fields"] == {
        "Idempotency-Key": ["The Idempotency-Key header must be printable text."]
    }
