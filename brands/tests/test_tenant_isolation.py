"""One test over every brand route, found by walking the URL configuration (a new route is
covered the day it is added): a member of brand A gets 404 for every object of brand B, on
pages and in the API, whatever the method; an analyst cannot change anything; a till user
opens only the till."""

import hashlib
import re
import uuid
from datetime import timedelta

import pytest
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from brands.models import (
    ApiKey,
    BrandJob,
    BrandProduct,
    Budget,
    Department,
    Invitation,
    JobKind,
    Role,
    Webhook,
    WebhookDelivery,
)
from brands.tests.factories import BrandFactory, brand_offer, member, sign_in_member
from offers.models import CouponBook, OfferKind

pytestmark = pytest.mark.django_db

PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
PAGE_PREFIX = "brand/<slug:brand_slug>/"
API_PREFIX = "api/v1/brand/"

# The literal segment before an id names what the id is.
KIND_BY_SEGMENT = {
    "members": "membership",
    "invitations": "invitation",
    "departments": "department",
    "products": "product",
    "upload": "upload_job",
    "bulk-upload": "upload_job",
    "coupons": "offer",
    "jobs": "book_job",
    "books": "book",
    "keys": "key",
    "budgets": "budget",
    "webhooks": "webhook",
    "deliveries": "delivery",
}

# Pages an analyst may post to: leaving the brand is theirs to do.
ANALYST_MAY_POST = {"leave"}
# Pages a till user may open.
TILL_MAY_OPEN = {"till", "till_rollback", "leave"}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        else:
            yield route, pattern.name


def _routes(prefix: str) -> list[tuple[str, str]]:
    return [
        (route, name)
        for route, name in _walk(get_resolver().url_patterns)
        if route.startswith(prefix)
    ]


def _fill(route: str, *, slug: str, objects: dict) -> str:
    """The route with the brand's slug and, for each id, the object of the kind its segment
    names."""
    parts = route.split("/")
    filled = []
    for index, part in enumerate(parts):
        match = PLACEHOLDER.fullmatch(part)
        if not match:
            filled.append(part)
            continue
        if match["name"] == "brand_slug":
            filled.append(slug)
            continue
        kind = KIND_BY_SEGMENT[parts[index - 1]]
        filled.append(str(objects[kind]))
    return "/" + "/".join(filled)


def _objects_of(brand) -> dict:
    """One object of every kind a brand route takes an id of, all belonging to `brand`."""
    offer = brand_offer(brand, kind=OfferKind.UNIQUE_CODE)
    book = CouponBook.objects.create(offer=offer, name="Book")
    department = Department.objects.create(brand=brand, name="Stores")
    webhook = Webhook.objects.create(brand=brand, url="https://hooks.example/in", secret="s")
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event_id=uuid.uuid4(), event="ping", payload={}
    )
    return {
        "membership": member(brand, Role.EDITOR).public_id,
        "invitation": Invitation.objects.create(
            brand=brand,
            email="new@brand.example",
            role=Role.ANALYST,
            token_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
            expires_at=timezone.now() + timedelta(days=7),
        ).public_id,
        "department": department.public_id,
        "product": BrandProduct.objects.create(brand=brand, sku="SKU-1", name="Shirt").public_id,
        "upload_job": BrandJob.objects.create(brand=brand, kind=JobKind.UPLOAD_COUPONS).public_id,
        "book_job": BrandJob.objects.create(
            brand=brand, kind=JobKind.GENERATE_CODES, book=book
        ).public_id,
        "offer": offer.public_id,
        "book": book.public_id,
        "key": ApiKey.objects.create(
            brand=brand,
            name="Till 1",
            prefix="czk_abcd",
            key_hash=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
        ).public_id,
        "budget": Budget.objects.create(brand=brand, offer=offer, max_redemptions=10).public_id,
        "webhook": webhook.public_id,
        "delivery": delivery.public_id,
    }


@pytest.fixture
def two_brands():
    brand_a, brand_b = BrandFactory(), BrandFactory()
    return brand_a, _objects_of(brand_a), brand_b, _objects_of(brand_b)


def _has_id(route: str) -> bool:
    return any(m["name"] != "brand_slug" for m in PLACEHOLDER.finditer(route))


def test_the_walk_finds_every_area():
    pages = {name for _, name in _routes(PAGE_PREFIX)}
    api = _routes(API_PREFIX)
    for name in ("dashboard", "coupon_list", "book_list", "till", "team", "webhook_list"):
        assert name in pages
    assert len(api) > 30
    for route, _ in _routes(PAGE_PREFIX) + api:
        for index, part in enumerate(route.split("/")):
            match = PLACEHOLDER.fullmatch(part)
            if match and match["name"] != "brand_slug":
                assert route.split("/")[index - 1] in KIND_BY_SEGMENT, route


def _get_status(client, url: str) -> int:
    """GET's answer. A GET of an action (a POST-only URL) redirects to the page it belongs to
    (coupzii.core.http.post_form): followed when it leads to that object's page, and counted
    as "not found" when it goes to a list, which it does for any id, existing or not."""
    response = client.get(url)
    if response.status_code != 302:
        return response.status_code
    target = response["Location"]
    if any(part and part in target for part in url.split("/") if len(part) == 36):
        return client.get(target).status_code
    return 404


def _statuses(client, url: str) -> list[int]:
    return [_get_status(client, url), client.post(url, {}).status_code]


def test_a_member_of_brand_a_gets_404_for_every_object_of_brand_b(client, two_brands):
    # given an owner of A, signed in with the second factor
    brand_a, _, _, objects_b = two_brands
    sign_in_member(client, member(brand_a, Role.OWNER))
    leaks = []
    # when they open every page of A with an id of B's objects
    for route, name in _routes(PAGE_PREFIX):
        if not _has_id(route):
            continue
        url = _fill(route, slug=brand_a.slug, objects=objects_b)
        statuses = _statuses(client, url)
        # then nothing answers but "not found" (or "method not allowed", which tells nothing)
        if not set(statuses) <= {404, 405} or 404 not in statuses:
            leaks.append((name, url, statuses))
    assert leaks == []


def test_a_member_of_brand_a_gets_404_for_every_page_of_brand_b(client, two_brands):
    brand_a, _, brand_b, objects_b = two_brands
    sign_in_member(client, member(brand_a, Role.OWNER))
    leaks = []
    for route, name in _routes(PAGE_PREFIX):
        url = _fill(route, slug=brand_b.slug, objects=objects_b)
        statuses = _statuses(client, url)
        if not set(statuses) <= {404, 405} or 404 not in statuses:
            leaks.append((name, url, statuses))
    assert leaks == []


def _api_client(membership, brand_slug: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    client.credentials(HTTP_X_BRAND=brand_slug)
    return client


@pytest.fixture
def owner_with_two_factor(two_brands):
    """API owners need two-factor sign-in switched on."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    brand_a = two_brands[0]
    owner = member(brand_a, Role.OWNER)
    TOTPDevice.objects.create(user=owner.user, name="phone", confirmed=True)
    return owner


def test_the_api_answers_404_for_every_object_of_another_brand(two_brands, owner_with_two_factor):
    brand_a, _, _, objects_b = two_brands
    client = _api_client(owner_with_two_factor, brand_a.slug)
    leaks = []
    for route, _ in _routes(API_PREFIX):
        if not _has_id(route):
            continue
        url = _fill(route, slug="", objects=objects_b)
        statuses = [
            client.get(url).status_code,
            client.post(url, {}, format="json").status_code,
            client.patch(url, {}, format="json").status_code,
            client.delete(url).status_code,
        ]
        if not set(statuses) <= {404, 405} or 404 not in statuses:
            leaks.append((url, statuses))
    assert leaks == []


def test_the_api_answers_404_when_a_member_names_another_brand(two_brands, owner_with_two_factor):
    _, _, brand_b, objects_b = two_brands
    client = _api_client(owner_with_two_factor, brand_b.slug)
    leaks = []
    for route, _ in _routes(API_PREFIX):
        if route == API_PREFIX + "me/":
            continue  # the caller's own brands: no brand is named
        url = _fill(route, slug="", objects=objects_b)
        statuses = [client.get(url).status_code, client.post(url, {}, format="json").status_code]
        if set(statuses) != {404}:
            leaks.append((url, statuses))
    assert leaks == []


def test_an_analyst_cannot_change_anything(client, two_brands):
    brand_a, objects_a, _, _ = two_brands
    sign_in_member(client, member(brand_a, Role.ANALYST))
    changed = []
    for route, name in _routes(PAGE_PREFIX):
        if name in ANALYST_MAY_POST:
            continue
        url = _fill(route, slug=brand_a.slug, objects=objects_a)
        status = client.post(url, {}).status_code
        if status not in (403, 405):
            changed.append((name, url, status))
    assert changed == []


def test_an_analyst_cannot_change_anything_through_the_api(two_brands):
    brand_a, objects_a, _, _ = two_brands
    client = _api_client(member(brand_a, Role.ANALYST), brand_a.slug)
    changed = []
    for route, _ in _routes(API_PREFIX):
        if route == API_PREFIX + "me/":
            continue
        url = _fill(route, slug="", objects=objects_a)
        for method in (client.post, client.patch, client.delete):
            status = method(url, {}, format="json").status_code
            if status not in (403, 405):
                changed.append((method.__name__, url, status))
    assert changed == []


def test_a_till_user_opens_only_the_till(client, two_brands):
    brand_a, objects_a, _, _ = two_brands
    sign_in_member(client, member(brand_a, Role.TILL))
    opened = []
    for route, name in _routes(PAGE_PREFIX):
        url = _fill(route, slug=brand_a.slug, objects=objects_a)
        status = client.get(url, follow=True).status_code
        if name in TILL_MAY_OPEN:
            continue
        if status not in (403, 405):
            opened.append((name, url, status))
    assert opened == []
    assert client.get(f"/brand/{brand_a.slug}/till/").status_code == 200
