"""The "My codes" page, the claim button's POST, and the operators' admin for books, codes and
the redemption audit."""

import importlib
import uuid
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, clear_url_caches, reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, sign_in_verified
from offers import books
from offers.books import admin as books_admin  # noqa: F401 - registers the admin
from offers.models import AuditAction, BookStatus, CodeStatus, CouponCode, RedemptionAudit
from offers.tests.books.factories import CouponBookFactory, book_with_codes

pytestmark = pytest.mark.django_db

MY_CODES = "/my-codes/"


def claim_path(offer) -> str:
    return f"/offers/{offer.public_id}/claim/"


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def claim_codes(user, count: int) -> list[CouponCode]:
    return [
        books.code_claim(offer_or_book=book_with_codes(1).offer, user=user) for _ in range(count)
    ]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- My codes --------------------------------------------------------------------------------


def test_my_codes_needs_a_signed_in_shopper(client):
    response = client.get(MY_CODES)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_codes_shows_the_shoppers_codes_with_offer_merchant_status_and_expiry(signed_in, user):
    # given one usable code, one used code, and someone else's code
    usable, used = claim_codes(user, 2)
    books.code_redeem(book=used.book, code=used, actor=UserFactory(), idempotency_key="k")
    someone_elses = claim_codes(UserFactory(), 1)[0]

    # when
    response = signed_in.get(MY_CODES)

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert usable.code in html
    assert usable.book.offer.title in html
    assert usable.book.offer.merchant.name in html
    assert "Ready to use" in html
    assert "Used" in html
    assert "Valid until" in html
    assert someone_elses.code not in html
    # one copy button, for the usable code only
    assert html.count("data-cz-copy=") == 1


def test_the_account_menu_links_to_my_codes_on_every_page(signed_in):
    for path in ("/", "/coupons/", "/wallet/"):
        html = signed_in.get(path).content.decode()

        assert f'<a class="dropdown-item" href="{MY_CODES}">My codes</a>' in html


def test_my_codes_has_an_empty_state(signed_in):
    response = signed_in.get(MY_CODES)

    assert "No codes yet" in response.content.decode()


def test_my_codes_pages_through_many_codes(signed_in, user):
    codes = claim_codes(user, 23)
    for age, code in enumerate(codes):
        CouponCode.objects.filter(pk=code.pk).update(
            claimed_at=timezone.now() - timedelta(minutes=age)
        )

    first = signed_in.get(MY_CODES).content.decode()
    second = signed_in.get(MY_CODES, {"page": 2}).content.decode()

    assert codes[0].code in first and codes[19].code in first
    assert codes[20].code not in first
    assert codes[20].code in second and codes[22].code in second
    assert "Page 2 of 2" in second


def test_my_codes_runs_the_same_queries_for_one_code_or_a_full_page(signed_in, user):
    claim_codes(user, 1)
    with CaptureQueriesContext(connection) as one:
        signed_in.get(MY_CODES)
    claim_codes(user, 19)

    with CaptureQueriesContext(connection) as twenty:
        response = signed_in.get(MY_CODES)

    assert response.content.decode().count('id="code-') == 20
    assert len(twenty) == len(one)


# --- The claim button ------------------------------------------------------------------------


def test_claiming_on_the_page_shows_the_code_in_my_codes(signed_in, user):
    book = book_with_codes(2)

    response = signed_in.post(claim_path(book.offer), {"next": "/offers/some-offer/"})

    code = CouponCode.objects.get(holder=user)
    assert response.status_code == 302
    assert response["Location"] == MY_CODES
    assert any(code.code in message for message in messages_of(response))


def test_a_refused_claim_goes_back_with_the_reason(signed_in, user):
    book = book_with_codes(1)
    books.code_claim(offer_or_book=book.offer, user=UserFactory())

    response = signed_in.post(claim_path(book.offer), {"next": "/offers/some-offer/"})

    assert response.status_code == 302
    assert response["Location"] == "/offers/some-offer/"
    assert any("have been claimed" in message for message in messages_of(response))
    assert not CouponCode.objects.filter(holder=user).exists()


def test_a_shopper_who_already_holds_their_code_is_shown_it_in_my_codes(signed_in, user):
    book = book_with_codes(3)
    signed_in.post(claim_path(book.offer))

    response = signed_in.post(claim_path(book.offer), {"next": "/offers/some-offer/"})

    assert response.status_code == 302
    assert response["Location"] == MY_CODES
    assert any("as many codes" in message for message in messages_of(response))
    assert CouponCode.objects.filter(holder=user).count() == 1


def test_a_refused_claim_never_goes_back_to_another_site(signed_in):
    book = book_with_codes(0)

    response = signed_in.post(claim_path(book.offer), {"next": "https://evil.example.com/"})

    assert response["Location"] == MY_CODES


def test_a_double_submitted_claim_form_claims_once(signed_in, user):
    book = book_with_codes(5, per_user_limit=5)
    form = {"idempotency_key": "form-token-1"}

    signed_in.post(claim_path(book.offer), form)
    signed_in.post(claim_path(book.offer), form)

    assert CouponCode.objects.filter(holder=user).count() == 1


def test_signed_out_visitors_are_sent_to_sign_in_and_back_to_the_offer(client):
    book = book_with_codes(1)

    response = client.post(claim_path(book.offer), {"next": "/offers/some-offer/"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/offers/some-offer/" in response["Location"]
    assert not CouponCode.objects.filter(holder__isnull=False).exists()


def test_the_claim_url_takes_only_posts(signed_in):
    book = book_with_codes(1)

    assert signed_in.get(claim_path(book.offer)).status_code == 405


def test_claiming_an_unknown_offer_is_404(signed_in):
    assert signed_in.post(f"/offers/{uuid.uuid4()}/claim/").status_code == 404


# --- Admin -----------------------------------------------------------------------------------


@pytest.fixture
def admin_urls():
    """offers/admin.py (another module) imports books/admin.py; until it does, put the admin's
    URLs for these models in place here."""
    try:
        reverse("admin:offers_couponbook_changelist")
    except NoReverseMatch:
        import coupzii.urls

        importlib.reload(coupzii.urls)
        clear_url_caches()


@pytest.fixture
def operator(client, admin_urls):
    user = User.objects.create_superuser("ops@coupzii.in", PASSWORD)
    sign_in_verified(client, user)
    client.operator = user
    return client


def test_the_book_page_counts_codes_by_status(operator):
    book = book_with_codes(3)
    books.code_claim(offer_or_book=book.offer, user=UserFactory())

    change = operator.get(reverse("admin:offers_couponbook_change", args=[book.pk]))
    listing = operator.get(reverse("admin:offers_couponbook_changelist"))

    html = change.content.decode()
    assert change.status_code == 200
    assert "Codes by status" in html
    assert f"book__id__exact={book.pk}&amp;status__exact=available" in html
    assert listing.status_code == 200
    assert book.name in listing.content.decode()


def test_operators_generate_codes_through_the_intermediate_form(operator):
    book = CouponBookFactory(code_pattern="TEST-#####")
    changelist = reverse("admin:offers_couponbook_changelist")

    form = operator.post(
        changelist, {"action": "generate_codes", "_selected_action": [book.pk], "index": 0}
    )
    done = operator.post(
        changelist,
        {"action": "generate_codes", "_selected_action": [book.pk], "apply": "1", "count": "250"},
    )

    assert form.status_code == 200
    assert 'name="count"' in form.content.decode()
    assert done.status_code == 302
    assert CouponCode.objects.filter(book=book).count() == 250
    audit = RedemptionAudit.objects.get(book=book)
    assert (audit.action, audit.ok, audit.actor) == (AuditAction.GENERATE, True, operator.operator)


def test_generating_with_a_weak_pattern_shows_the_reason(operator):
    book = CouponBookFactory(code_pattern="X##")
    changelist = reverse("admin:offers_couponbook_changelist")

    response = operator.post(
        changelist,
        {"action": "generate_codes", "_selected_action": [book.pk], "apply": "1", "count": "50"},
        follow=True,
    )

    assert "cannot make that many" in response.content.decode()
    assert not CouponCode.objects.filter(book=book).exists()


def test_operators_import_codes_from_a_csv_file(operator):
    book = CouponBookFactory()
    url = reverse("admin:offers_couponbook_import", args=[book.pk])
    upload = SimpleUploadedFile("codes.csv", b"code\nAAA-1\nBBB-2\nAAA-1\nbad code\n")

    page = operator.get(url)
    response = operator.post(url, {"file": upload}, follow=True)

    assert page.status_code == 200
    assert 'type="file"' in page.content.decode()
    assert set(CouponCode.objects.filter(book=book).values_list("code", flat=True)) == {
        "AAA-1",
        "BBB-2",
    }
    assert "2 codes added, 1 duplicates skipped, 1 invalid rows skipped" in (
        response.content.decode()
    )


def test_books_cannot_be_deleted_from_the_admin(operator):
    book = CouponBookFactory()

    response = operator.get(reverse("admin:offers_couponbook_delete", args=[book.pk]))

    assert response.status_code == 403


def test_operators_find_a_code_and_void_it_through_the_service(operator):
    book = book_with_codes(2)
    wanted, other = CouponCode.objects.filter(book=book).order_by("id")
    changelist = reverse("admin:offers_couponcode_changelist")

    found = operator.get(changelist, {"q": wanted.code}).content.decode()
    filtered = operator.get(changelist, {"status__exact": "available", "book__id__exact": book.pk})
    operator.post(changelist, {"action": "void_codes", "_selected_action": [wanted.pk]})

    assert wanted.code in found and other.code not in found
    assert filtered.status_code == 200
    wanted.refresh_from_db()
    assert wanted.status == CodeStatus.VOID
    audit = RedemptionAudit.objects.get(code=wanted)
    assert (audit.action, audit.ok, audit.actor) == (AuditAction.VOID, True, operator.operator)


def test_codes_cannot_be_added_or_changed_in_the_admin(operator):
    code = CouponCode.objects.get(book=book_with_codes(1))

    add = operator.get(reverse("admin:offers_couponcode_add"))
    change = operator.post(
        reverse("admin:offers_couponcode_change", args=[code.pk]), {"status": "redeemed"}
    )

    assert add.status_code == 403
    assert change.status_code == 403
    code.refresh_from_db()
    assert code.status == CodeStatus.AVAILABLE


def test_the_redemption_audit_is_read_only(operator):
    book = book_with_codes(1, status=BookStatus.ACTIVE)
    books.code_claim(offer_or_book=book.offer, user=UserFactory())
    audit = RedemptionAudit.objects.get(book=book)

    listing = operator.get(reverse("admin:offers_redemptionaudit_changelist"))
    view = operator.get(reverse("admin:offers_redemptionaudit_change", args=[audit.pk]))
    add = operator.get(reverse("admin:offers_redemptionaudit_add"))
    change = operator.post(
        reverse("admin:offers_redemptionaudit_change", args=[audit.pk]), {"ok": "false"}
    )
    delete = operator.post(
        reverse("admin:offers_redemptionaudit_delete", args=[audit.pk]), {"post": "yes"}
    )

    assert listing.status_code == 200
    assert view.status_code == 200
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert RedemptionAudit.objects.filter(pk=audit.pk, ok=True).exists()
