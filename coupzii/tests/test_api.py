"""The API's shared behaviour: error shape, throttles, pagination, schema and docs."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.urls("coupzii.tests.api_views")
def test_invalid_input_answers_400_with_field_messages(api):
    response = api.post("/transfer/", {"amount": "0", "upi_id": "not a upi id"}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"amount", "upi_id"}
    assert "greater than or equal to 1" in error["fields"]["amount"][0]


@pytest.mark.urls("coupzii.tests.api_views")
def test_domain_error_answers_its_code_status_and_fields(api):
    response = api.post("/transfer/", {"amount": "10", "upi_id": "asha@okaxis"}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "conflict",
            "message": "Withdrawal already in progress.",
            "fields": {"amount": ["Already requested."]},
        }
    }


@pytest.mark.urls("coupzii.tests.api_views")
def test_not_found_and_not_authenticated_use_the_same_shape(api):
    missing = api.get("/missing/")
    private = api.get("/private/")

    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert private.status_code == 401
    assert private["WWW-Authenticate"].startswith("Bearer")
    assert private.json()["error"]["code"] == "not_authenticated"


@pytest.mark.urls("coupzii.tests.api_views")
def test_page_size_is_capped_at_100(api):
    UserFactory.create_batch(105)

    response = api.get("/users/", {"page_size": 1000})

    body = response.json()
    assert body["count"] == 105
    assert len(body["results"]) == 100
    assert body["next"].endswith("page=2&page_size=1000")


@pytest.mark.urls("coupzii.tests.api_views")
def test_default_page_size_is_20(api):
    UserFactory.create_batch(25)

    assert len(api.get("/users/").json()["results"]) == 20


def test_anonymous_clients_get_100_requests_a_minute(api):
    statuses = [api.get("/api/v1/config/").status_code for _ in range(101)]

    assert statuses[:100] == [200] * 100
    assert statuses[100] == 429
    refused = api.get("/api/v1/config/")
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0


def test_anonymous_throttle_counts_each_client_ip_apart(api):
    for _ in range(100):
        api.get("/api/v1/config/", REMOTE_ADDR="203.0.113.7")

    assert api.get("/api/v1/config/", REMOTE_ADDR="203.0.113.7").status_code == 429
    assert api.get("/api/v1/config/", REMOTE_ADDR="203.0.113.8").status_code == 200


def test_forged_forwarded_for_does_not_escape_the_throttle(api):
    # The client is not a trusted proxy, so its X-Forwarded-For is ignored.
    for n in range(100):
        api.get("/api/v1/config/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    refused = api.get("/api/v1/config/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert refused.status_code == 429


def test_signed_in_users_get_300_requests_a_minute(api):
    api.force_authenticate(UserFactory())

    statuses = [api.get("/api/v1/config/").status_code for _ in range(301)]

    assert statuses.count(200) == 300
    assert statuses[-1] == 429


def test_client_config_lists_languages_and_currency(api):
    body = api.get("/api/v1/config/").json()

    assert [language["code"] for language in body["languages"]] == ["en", "hi"]
    assert body["currency"] == {"code": "INR", "symbol": "₹", "decimal_places": 2}
    assert body["page_size"] == {"default": 20, "max": 100}


def test_schema_is_valid_openapi_and_lists_the_v1_api(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/config/" in schema["paths"]


def test_schema_generation_has_no_warnings(tmp_path):
    # --fail-on-warn turns every "unable to guess serializer" and the like into a failure.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )


@override_settings(DEBUG=False)
def test_swagger_ui_loads_its_assets_from_our_own_static_files(api):
    response = api.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_simultaneous_requests_cannot_pass_the_limit():
    # given 150 requests from one IP arriving together
    barrier = threading.Barrier(10)

    def burst(_):
        client = APIClient()
        barrier.wait()
        return [client.get("/api/v1/config/").status_code for _ in range(15)]

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = [status for batch in pool.map(burst, range(10)) for status in batch]

    # then exactly the limit got through
    assert statuses.count(200) == 100
    assert statuses.count(429) == 50


def test_ipv6_clients_are_limited_per_64_prefix(api):
    for n in range(100):
        api.get("/api/v1/config/", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")

    assert api.get("/api/v1/config/", REMOTE_ADDR="2001:db8:1:2::ffff").status_code == 429
    assert api.get("/api/v1/config/", REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


@pytest.mark.parametrize("debug", [False, True], ids=["production", "embedded default"])
@pytest.mark.parametrize(
    "path", ["/api/v1/no-such-thing/", "/api/v1/offers/not-an-id/", "/api/v1/merchants/a b/"]
)
def test_an_api_address_that_matches_nothing_answers_the_api_404_not_a_web_page(
    api, settings, debug, path
):
    settings.DEBUG = debug

    response = api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    error = {"code": "not_found", "message": "Not found.", "fields": {}}
    assert response.json() == {"error": error}


def test_a_page_past_the_last_answers_404_as_every_paginated_list_documents(api):
    response = api.get("/api/v1/merchants/", {"page": 999})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paginated = [
        (path, operation)
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        if any(parameter["name"] == "page" for parameter in operation.get("parameters", []))
    ]
    assert "/api/v1/merchants/" in {path for path, _ in paginated}
    assert [path for path, operation in paginated if "404" not in operation["responses"]] == []


def test_every_operation_with_a_path_parameter_documents_the_400_for_a_nul_in_it(api):
    response = api.get("/api/v1/merchants/ajio%00/")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    undocumented = [
        (method, path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "{" in path and "400" not in operation["responses"]
    ]
    assert undocumented == []


def test_every_operation_with_a_body_documents_the_415_for_a_type_it_cant_read(api):
    response = api.post("/api/v1/auth/register/", "email=a@b.in", content_type="text/plain")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    undocumented = [
        (method, path)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation and "415" not in operation["responses"]
    ]
    assert undocumented == []
