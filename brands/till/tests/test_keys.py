"""API keys: shown once and stored as a hash, the tier's limit, scope, revocation that takes
effect on the very next request, last use written at most once a minute."""

import hashlib
from datetime import timedelta

import pytest

from brands.models import ApiKey, Role, Tier
from brands.tests.factories import brand_with_store, member, sign_in_member
from brands.till import errors, services

from .helpers import TILL, brand_book, brand_of, key_client, till_key

pytestmark = pytest.mark.django_db


def validate(client, code="SAVE-0001"):
    return client.post(TILL + "validate/", {"code": code, "order_amount": "500"}, format="json")


def test_a_key_is_czk_and_40_characters_and_only_its_hash_is_stored():
    brand = brand_with_store()
    key, raw = till_key(brand)
    assert raw.startswith("czk_") and len(raw) == 44
    row = ApiKey.objects.get(pk=key.pk)
    assert row.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(row.prefix) and len(row.prefix) < 16
    assert raw not in str(ApiKey.objects.filter(pk=key.pk).values().first())


def test_the_tier_limits_live_keys_and_a_revoked_key_frees_a_place():
    brand = brand_with_store(tier=Tier.BASIC)
    keys = [till_key(brand)[0] for _ in range(3)]
    with pytest.raises(errors.KeyLimitReached):
        till_key(brand)
    services.api_key_revoke(brand=brand, public_id=keys[0].public_id, revoked_by=None)
    assert till_key(brand)[0].pk


def test_a_key_cannot_be_scoped_to_another_brands_book():
    other_book = brand_book()
    with pytest.raises(errors.KeyScopeInvalid):
        till_key(brand_with_store(), book=other_book)


def test_a_revoked_key_is_refused_on_its_next_request():
    book = brand_book()
    key, raw = till_key(brand_of(book))
    client = key_client(raw)
    assert validate(client).status_code == 200
    services.api_key_revoke(brand=brand_of(book), public_id=key.public_id, revoked_by=None)
    response = validate(client)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "ApiKey"


def test_a_wrong_key_gets_401():
    brand_book()
    response = validate(key_client("czk_" + "x" * 40))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_last_use_is_written_at_most_once_a_minute():
    book = brand_book()
    key, raw = till_key(brand_of(book))
    client = key_client(raw)
    validate(client)
    first = ApiKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    validate(client)
    assert ApiKey.objects.get(pk=key.pk).last_used_at == first
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - timedelta(minutes=2))
    validate(client)
    assert ApiKey.objects.get(pk=key.pk).last_used_at > first - timedelta(seconds=1)


def test_the_key_throttle_refuses_past_the_rate(monkeypatch):
    from brands.till.authentication import ApiKeyThrottle

    monkeypatch.setattr(ApiKeyThrottle, "THROTTLE_RATES", {"till_key": "2/minute"})
    book = brand_book()
    _, raw = till_key(brand_of(book))
    client = key_client(raw)
    assert [validate(client).status_code for _ in range(3)] == [200, 200, 429]
    # Another key of the same brand has its own window.
    _, other = till_key(brand_of(book))
    assert validate(key_client(other)).status_code == 200


# --- The page ------------------------------------------------------------------------------


def keys_url(brand):
    return f"/brand/{brand.slug}/till/keys/"


def test_the_keys_page_makes_a_key_shown_once_and_lists_it_by_prefix(client):
    book = brand_book()
    brand = brand_of(book)
    sign_in_member(client, member(brand, Role.ADMIN))
    assert "No API keys yet" in client.get(keys_url(brand)).content.decode()

    response = client.post(
        keys_url(brand), {"name": "Store 12 till 3", "scope": f"book:{book.public_id}"}
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = response.context["raw_key"]
    assert raw in response.content.decode()
    key = ApiKey.objects.get(brand=brand)
    assert key.book == book and key.name == "Store 12 till 3"
    listing = client.get(keys_url(brand)).content.decode()
    assert key.prefix in listing and raw not in listing


def test_revoking_from_the_page_asks_first_then_the_key_stops_working(client):
    book = brand_book()
    brand = brand_of(book)
    key, raw = till_key(brand)
    sign_in_member(client, member(brand, Role.OWNER))
    url = f"{keys_url(brand)}{key.public_id}/revoke/"
    assert client.get(url).status_code == 200
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None
    assert client.post(url).status_code == 302
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert validate(key_client(raw)).status_code == 401


def test_the_keys_page_is_for_managers_and_members_only(client):
    brand = brand_with_store()
    sign_in_member(client, member(brand, Role.TILL))
    assert client.get(keys_url(brand)).status_code == 403
    assert client.get(keys_url(brand_with_store())).status_code == 404


def test_another_brands_key_cannot_be_revoked_from_this_brand(client):
    brand = brand_with_store()
    other_key, _ = till_key(brand_with_store())
    sign_in_member(client, member(brand, Role.ADMIN))
    assert client.post(f"{keys_url(brand)}{other_key.public_id}/revoke/").status_code == 404
    assert ApiKey.objects.get(pk=other_key.pk).revoked_at is None


def test_the_keys_list_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    brand = brand_with_store(tier=Tier.PRO)
    for _ in range(12):
        till_key(brand)
    sign_in_member(client, member(brand, Role.ADMIN))
    with django_assert_max_num_queries(20):
        response = client.get(keys_url(brand))
    assert response.status_code == 200
