"""The gift-card back office: products with their stock, and the voucher-code inventory, whose
codes and PINs never appear in plaintext and come in through a CSV or Excel import that
refuses the whole file when any row is bad."""

import io
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory, sign_in_verified
from catalog import inventory
from catalog.models import Product, VoucherCode, VoucherStatus
from catalog.tests.factories import ProductFactory, VariantFactory, stock

pytestmark = pytest.mark.django_db

PRODUCTS = "/admin/catalog/product/"
CODES = "/admin/catalog/vouchercode/"
DENOMINATIONS = "/admin/catalog/variant/"
IMPORT = f"{CODES}import/"
CONFIRM = f"{CODES}process_import/"
CSV, XLSX = "0", "1"  # the import form's format choices, in VoucherCodeAdmin.import_formats
NEXT_YEAR = (timezone.localdate() + timedelta(days=365)).isoformat()


@pytest.fixture
def operator():
    return User.objects.create_superuser("ops@coupzii.in", PASSWORD)


@pytest.fixture
def operator_client(client, operator):
    sign_in_verified(client, operator)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def queries_to_get(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def csv_file(text: str, name: str = "codes.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def xlsx_file(rows: list[list], name: str = "codes.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def upload(client, upload_file, file_format: str):
    return client.post(IMPORT, {"format": file_format, "import_file": upload_file, "resource": "0"})


def confirm(client, preview):
    """The second step: post the confirm form the preview page carried."""
    form = preview.context["confirm_form"]
    return client.post(CONFIRM, {**form.initial, "confirm": "Confirm import"}, follow=True)


def raw_columns(pk: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, pin, code_digest FROM catalog_vouchercode WHERE id = %s", [pk])
        return cursor.fetchone()


# --- Gift cards --------------------------------------------------------------------------------


def test_the_gift_card_list_shows_brand_category_and_sellable_stock(operator_client):
    # given: a card with two denominations, 3 + 2 sellable codes and one expiring too soon
    card = ProductFactory(name="Amazon Pay")
    small, large = VariantFactory(product=card), VariantFactory(product=card, face_value=1000)
    stock(small, 3)
    stock(large, 2)
    stock(large, 1, prefix="SOON", expires_on=timezone.localdate() + timedelta(days=2))
    ProductFactory(name="Empty Card")

    response = operator_client.get(PRODUCTS)

    rows = {product.name: product for product in response.context["cl"].result_list}
    assert rows["Amazon Pay"].sellable_stock == 5
    assert rows["Empty Card"].sellable_stock == 0
    html = response.content.decode()
    assert card.merchant.name in html and card.category.name in html


def test_the_stock_filter_finds_cards_out_of_stock(operator_client):
    stocked = VariantFactory()
    stock(stocked, 12)
    empty = ProductFactory()

    def listed(value):
        cl = operator_client.get(PRODUCTS, {"stock": value}).context["cl"]
        return [product.pk for product in cl.result_list]

    assert listed("none") == [empty.pk]
    assert listed("some") == [stocked.product.pk]
    assert listed("low") == []


def test_low_stock_means_fewer_codes_than_the_dashboard_setting(operator_client, settings):
    four, twelve = VariantFactory(), VariantFactory()
    stock(four, 4)
    stock(twelve, 12)
    empty = ProductFactory()

    def listed(value):
        cl = operator_client.get(PRODUCTS, {"stock": value}).context["cl"]
        return sorted(product.pk for product in cl.result_list)

    settings.DASHBOARD_LOW_STOCK_CODES = 10
    assert listed("low") == [four.product_id]
    assert listed("below") == sorted([four.product_id, empty.pk])
    settings.DASHBOARD_LOW_STOCK_CODES = 20
    assert listed("low") == sorted([four.product_id, twelve.product_id])
    assert "Fewer than 20 codes" in operator_client.get(PRODUCTS).content.decode()


def test_the_gift_card_list_costs_the_same_queries_for_3_or_15_cards(operator_client):
    def cards(count):
        for _ in range(count):
            stock(VariantFactory(), 2)

    cards(3)
    with_3 = queries_to_get(operator_client, PRODUCTS)
    cards(12)
    with_15 = queries_to_get(operator_client, PRODUCTS)

    assert Product.objects.count() == 15
    assert with_15 == with_3, (with_3, with_15)


def test_a_gift_card_page_shows_its_denominations_with_stock_and_its_images(operator_client):
    variant = VariantFactory(sku="amazon-pay-500")
    stock(variant, 4)

    html = operator_client.get(f"{PRODUCTS}{variant.product.pk}/change/").content.decode()

    assert 'value="amazon-pay-500"' in html
    assert f"{CODES}?variant__id__exact={variant.pk}" in html
    assert "4 · " in html
    assert "images-TOTAL_FORMS" in html
    assert operator_client.get(f"{PRODUCTS}add/").status_code == 200


def test_an_operator_adds_a_gift_card_with_a_denomination(operator_client):
    merchant = ProductFactory().merchant
    category = ProductFactory().category

    response = operator_client.post(
        f"{PRODUCTS}add/",
        {
            # English and Hindi side by side (django-modeltranslation).
            "name_en": "Myntra Gift Card",
            "name_hi": "Myntra गिफ़्ट कार्ड",
            "slug": "myntra-gift-card",
            "merchant": merchant.pk,
            "category": category.pk,
            "validity_days": "365",
            "is_active": "on",
            "variants-TOTAL_FORMS": "1",
            "variants-INITIAL_FORMS": "0",
            "variants-0-sku": "myntra-1000",
            "variants-0-face_value": "1000",
            "variants-0-price": "970",
            "variants-0-min_quantity": "1",
            "variants-0-max_quantity": "3",
            "variants-0-is_active": "on",
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    product = Product.objects.get(slug="myntra-gift-card")
    assert list(product.variants.values_list("sku", "price")) == [("myntra-1000", 970)]
    assert (product.name_en, product.name_hi) == ("Myntra Gift Card", "Myntra गिफ़्ट कार्ड")


# --- Denominations ------------------------------------------------------------------------------


def test_denominations_list_least_stock_first_with_links_to_their_codes(operator_client):
    card = ProductFactory(name="Amazon Pay")
    small, large = VariantFactory(product=card), VariantFactory(product=card, face_value=1000)
    stock(small, 7)
    stock(large, 2)

    response = operator_client.get(DENOMINATIONS)

    assert [v.pk for v in response.context["cl"].result_list] == [large.pk, small.pk]
    html = response.content.decode()
    assert f"{CODES}?variant__id__exact={large.pk}" in html
    assert f"/admin/catalog/product/{card.pk}/change/" in html


def test_denominations_filter_by_stock_below_the_setting_and_on_sale(operator_client, settings):
    # given: on sale with 0, 3 and 9 codes; 3 codes but switched off; 3 on a card switched off
    settings.DASHBOARD_LOW_STOCK_CODES = 5
    empty, three, nine = VariantFactory(), VariantFactory(), VariantFactory()
    stock(three, 3)
    stock(nine, 9)
    off = VariantFactory(is_active=False)
    stock(off, 3)
    card_off = VariantFactory(product__is_active=False)
    stock(card_off, 3)

    def listed(**filters):
        cl = operator_client.get(DENOMINATIONS, filters).context["cl"]
        return sorted(variant.pk for variant in cl.result_list)

    assert listed(stock="below", on_sale="yes") == sorted([empty.pk, three.pk])
    assert listed(stock="low", on_sale="yes") == [three.pk]
    assert listed(stock="below") == sorted([empty.pk, three.pk, off.pk, card_off.pk])
    assert listed(on_sale="no") == sorted([off.pk, card_off.pk])
    assert listed(stock="none") == [empty.pk]


def test_the_denominations_list_costs_the_same_queries_for_2_or_12_rows(operator_client):
    for _ in range(2):
        stock(VariantFactory(), 1)
    with_2 = queries_to_get(operator_client, DENOMINATIONS)
    for _ in range(10):
        stock(VariantFactory(), 1)
    with_12 = queries_to_get(operator_client, DENOMINATIONS)

    assert with_12 == with_2, (with_2, with_12)


def test_denominations_are_only_shown_here_not_added_changed_or_deleted(operator_client):
    variant = VariantFactory()

    assert operator_client.get(f"{DENOMINATIONS}add/").status_code == 403
    page = operator_client.get(f"{DENOMINATIONS}{variant.pk}/change/")
    assert page.status_code == 200 and 'name="sku"' not in page.content.decode()
    assert operator_client.post(f"{DENOMINATIONS}{variant.pk}/delete/").status_code == 403


# --- Voucher codes: the list ------------------------------------------------------------------


def test_the_code_list_shows_codes_masked_and_never_a_code_or_pin(operator_client):
    variant = VariantFactory(sku="amazon-pay-500")
    codes = stock(variant, 2, prefix="SECRETCODE")

    pages = [
        operator_client.get(CODES),
        operator_client.get(CODES, {"q": "amazon-pay"}),
        operator_client.get(f"{CODES}{codes[0].pk}/change/"),
    ]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "••••0000" in html
        assert "SECRETCODE" not in html
    list_html = pages[0].content.decode()
    assert "••••0001" in list_html
    assert "0001</td>" not in list_html.replace("••••0001", "")  # no PIN column either


def test_a_whole_code_typed_in_the_search_finds_it_by_its_hash(operator_client):
    variant = VariantFactory()
    wanted, _other = stock(variant, 2, prefix="FINDME")

    found = operator_client.get(CODES, {"q": "findme 000000"}).context["cl"].result_list
    partial = operator_client.get(CODES, {"q": "FINDME"}).context["cl"].result_list

    assert [code.pk for code in found] == [wanted.pk]
    assert list(partial) == []  # no substring search on codes


def test_codes_filter_by_status_product_and_expiry(operator_client):
    variant = VariantFactory()
    soon = stock(variant, 1, prefix="SOON", expires_on=timezone.localdate() + timedelta(days=3))
    later = stock(variant, 1, prefix="LATER", expires_on=timezone.localdate() + timedelta(days=90))
    never = stock(VariantFactory(), 1, prefix="NEVER")

    def listed(**params):
        return {code.pk for code in operator_client.get(CODES, params).context["cl"].result_list}

    assert listed(expiry="too-soon") == {soon[0].pk}
    assert listed(expiry="later") == {later[0].pk}
    assert listed(expiry="never") == {never[0].pk}
    assert listed(variant__product__id__exact=variant.product.pk) == {soon[0].pk, later[0].pk}
    assert listed(status__exact="available") == {soon[0].pk, later[0].pk, never[0].pk}
    assert listed(status__exact="void") == set()


def test_the_code_list_costs_the_same_queries_for_3_or_30_codes(operator_client):
    stock(VariantFactory(), 3, prefix="A")
    with_3 = queries_to_get(operator_client, CODES)
    for _ in range(3):
        stock(VariantFactory(), 9)
    with_30 = queries_to_get(operator_client, CODES)

    assert VoucherCode.objects.count() == 30
    assert with_30 == with_3, (with_3, with_30)


def test_codes_cannot_be_added_changed_or_deleted_by_hand(operator_client):
    [code] = stock(VariantFactory(), 1)

    assert operator_client.get(f"{CODES}add/").status_code == 403
    assert operator_client.post(f"{CODES}{code.pk}/change/", {"status": "void"}).status_code == 403
    assert operator_client.post(f"{CODES}{code.pk}/delete/", {"post": "yes"}).status_code == 403
    code.refresh_from_db()
    assert code.status == VoucherStatus.AVAILABLE


def test_voiding_codes_takes_available_ones_out_of_sale_and_leaves_delivered_ones(
    operator_client,
):
    # given: two available codes, and one delivered to an order line
    variant = VariantFactory()
    first, second, third = stock(variant, 3)
    inventory.voucher_codes_reserve(variant_id=variant.pk, quantity=1, order_line_id=99)
    inventory.voucher_codes_deliver(order_line_ids=[99])
    delivered = VoucherCode.objects.get(status=VoucherStatus.DELIVERED)

    # when
    response = operator_client.post(
        CODES,
        {"action": "void_selected", "_selected_action": [first.pk, second.pk, third.pk]},
        follow=True,
    )

    # then
    notes = messages_of(response)
    assert "2 codes voided." in notes
    assert any("1 code was left as it was" in note for note in notes)
    statuses = dict(VoucherCode.objects.values_list("pk", "status"))
    assert statuses[delivered.pk] == VoucherStatus.DELIVERED
    assert sorted(statuses.values()) == ["delivered", "void", "void"]
    assert inventory.stock_of([variant.pk]) == {variant.pk: 0}


# --- Voucher codes: the import ----------------------------------------------------------------


def test_a_csv_of_codes_is_previewed_masked_then_imported_encrypted(operator_client):
    # given
    VariantFactory(sku="amazon-pay-500")
    VariantFactory(sku="amazon-pay-1000", face_value=1000, price=980)
    text = (
        "sku,code,pin,expires_on\n"
        f"amazon-pay-500,aqbz-7k3q-9m2x,4321,{NEXT_YEAR}\n"
        "amazon-pay-1000, PLAIN1000CODE ,,\n"
    )

    # when: upload, preview, confirm
    preview = upload(operator_client, csv_file(text), CSV)
    html = preview.content.decode()
    assert preview.status_code == 200 and "confirm_form" in preview.context
    assert VoucherCode.objects.count() == 0  # the preview stored nothing
    assert "AQBZ" not in html.upper() and "PLAIN1000CODE" not in html and "4321" not in html
    assert "••••9M2X" in html
    waiting = Path(
        tempfile.gettempdir(), preview.context["confirm_form"].initial["import_file_name"]
    )
    assert b"PLAIN1000CODE" not in waiting.read_bytes()  # the file waits encrypted
    done = confirm(operator_client, preview)
    assert not waiting.exists()

    # then
    assert done.status_code == 200
    assert any("2" in note for note in messages_of(done))
    first = VoucherCode.objects.get(variant__sku="amazon-pay-500")
    second = VoucherCode.objects.get(variant__sku="amazon-pay-1000")
    assert (first.code, first.pin, first.expires_on) == (
        "AQBZ-7K3Q-9M2X",
        "4321",
        date.fromisoformat(NEXT_YEAR),
    )
    assert (second.code, second.pin, second.expires_on) == ("PLAIN1000CODE", "", None)
    assert first.status == VoucherStatus.AVAILABLE and first.order_line_id is None
    raw_code, raw_pin, digest = raw_columns(first.pk)
    assert "AQBZ" not in raw_code.upper() and raw_code != first.code
    assert raw_pin != "4321" and "4321" not in raw_pin
    assert digest == inventory.code_digest("aqbz-7k3q-9m2x")
    assert inventory.stock_of([first.variant_id]) == {first.variant_id: 1}


def test_an_excel_file_of_codes_is_imported_with_its_dates_and_numeric_cells(operator_client):
    # given: a date cell, a date typed as text, a numeric PIN and code, a blank row at the end
    VariantFactory(sku="flipkart-500")
    expiry = timezone.localdate() + timedelta(days=200)
    workbook = xlsx_file(
        [
            ["SKU", "Code", "PIN", "Expires_on"],
            ["flipkart-500", "FK-XLSX-0001", 9876, expiry],
            ["flipkart-500", 123456789012, None, NEXT_YEAR],
            [None, None, None, None],
        ]
    )

    preview = upload(operator_client, workbook, XLSX)
    assert "confirm_form" in preview.context, preview.content.decode()
    confirm(operator_client, preview)

    stored = {code.code: code for code in VoucherCode.objects.all()}
    assert set(stored) == {"FK-XLSX-0001", "123456789012"}
    assert stored["FK-XLSX-0001"].pin == "9876"
    assert stored["FK-XLSX-0001"].expires_on == expiry
    assert stored["123456789012"].expires_on == date.fromisoformat(NEXT_YEAR)
    raw_code, raw_pin, _ = raw_columns(stored["FK-XLSX-0001"].pk)
    assert "FK-XLSX" not in raw_code and raw_pin != "9876"


def test_a_csv_saved_by_excel_with_a_bom_and_crlf_lines_is_imported(operator_client):
    VariantFactory(sku="amazon-pay-500")
    text = "\ufeffSKU,Code,PIN,Expires_on\r\namazon-pay-500,EXCEL-1,0042,\r\n"

    preview = upload(operator_client, csv_file(text), CSV)
    confirm(operator_client, preview)

    stored = VoucherCode.objects.get()
    assert (stored.code, stored.pin, stored.expires_on) == ("EXCEL-1", "0042", None)


def test_bad_rows_are_reported_one_by_one_and_nothing_is_imported(operator_client):
    # given: one code already in stock, and a file with one good row among bad ones
    variant = VariantFactory(sku="amazon-pay-500")
    stock(variant, 1, prefix="TAKEN")  # TAKEN000000
    text = (
        "sku,code,pin,expires_on\n"
        "amazon-pay-500,GOOD-ROW-1,,\n"  # 1: fine on its own
        "no-such-sku,UNKNOWN-SKU-1,,\n"  # 2: unknown sku
        "amazon-pay-500,,1234,\n"  # 3: empty code
        "amazon-pay-500,BAD-DATE-1,,31/12/2027\n"  # 4: not YYYY-MM-DD
        "amazon-pay-500,taken 000000,,\n"  # 5: already in the inventory
        "amazon-pay-500,TWICE-1,,\n"  # 6: repeated on row 7
        "amazon-pay-500,twice-1,,\n"  # 7
        "amazon-pay-500,OLD-1,,2020-01-01\n"  # 8: expired
    )

    # when
    response = upload(operator_client, csv_file(text), CSV)

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    result = response.context["result"]
    refused = {row.number: row.field_specific_errors for row in result.invalid_rows}
    assert set(refused) == {2, 3, 4, 5, 6, 7, 8}
    assert refused[2] == {"sku": ["No denomination has the SKU no-such-sku."]}
    assert refused[3] == {"code": ["Enter the code."]}
    assert list(refused[4]) == ["expires_on"]
    assert refused[5] == {"code": ["This code is already in the inventory."]}
    assert refused[6] == {"code": ["This code is also on row 7 of the file."]}
    assert refused[7] == {"code": ["This code is also on row 6 of the file."]}
    assert refused[8] == {"expires_on": ["This date has passed: the code has expired."]}
    assert "Enter the date as YYYY-MM-DD" in html
    assert "nothing was imported" in html
    for plaintext in ("GOOD-ROW-1", "UNKNOWN-SKU-1", "BAD-DATE-1", "TWICE-1", "1234"):
        assert plaintext not in html
    assert list(VoucherCode.objects.values_list("code", flat=True)) == ["TAKEN000000"]


def test_a_file_without_the_code_column_is_refused(operator_client):
    VariantFactory(sku="amazon-pay-500")

    response = upload(operator_client, csv_file("sku,voucher\namazon-pay-500,X1\n"), CSV)

    html = response.content.decode()
    assert "confirm_form" not in response.context
    assert "The file needs the columns sku and code" in html
    assert "Traceback" not in html
    assert not VoucherCode.objects.exists()


def test_a_code_imported_between_preview_and_confirm_refuses_the_whole_file(operator_client):
    # given: a preview of two good rows
    variant = VariantFactory(sku="amazon-pay-500")
    preview = upload(
        operator_client, csv_file("sku,code\namazon-pay-500,RACE-1\namazon-pay-500,RACE-2\n"), CSV
    )
    # when: someone else adds one of them before the operator confirms
    inventory.voucher_codes_add(variant=variant, codes=[inventory.NewCode(code="RACE-2")])
    done = confirm(operator_client, preview)

    # then
    assert any("Nothing was imported" in note for note in messages_of(done))
    assert list(VoucherCode.objects.values_list("code", flat=True)) == ["RACE-2"]


@pytest.mark.parametrize(
    "code",
    ["NUL\x00CODE", "ABC\u202e123", "C\u041eDE", "ZERO\u200bWIDTH", "x" * 101],
    ids=["nul", "right-to-left-override", "cyrillic-o", "zero-width-space", "101-characters"],
)
def test_a_code_that_breaks_the_code_rule_is_refused_by_row(operator_client, code):
    VariantFactory(sku="amazon-pay-500")
    text = f"sku,code,pin\namazon-pay-500,GOOD-1,\namazon-pay-500,{code},\n"

    response = upload(operator_client, csv_file(text), CSV)

    refused = {
        row.number: row.field_specific_errors for row in response.context["result"].invalid_rows
    }
    assert list(refused) == [2]
    assert list(refused[2]) == ["code"]
    assert not VoucherCode.objects.exists()


def test_a_pin_with_a_nul_is_refused_by_row(operator_client):
    VariantFactory(sku="amazon-pay-500")

    response = upload(
        operator_client, csv_file("sku,code,pin\namazon-pay-500,GOOD-1,12\x0034\n"), CSV
    )

    [row] = response.context["result"].invalid_rows
    assert list(row.field_specific_errors) == ["pin"]
    assert not VoucherCode.objects.exists()


def test_the_inventory_refuses_a_code_that_breaks_the_code_rule():
    variant = VariantFactory()

    with pytest.raises(inventory.InvalidVoucherCode):
        inventory.voucher_codes_add(variant=variant, codes=[inventory.NewCode(code="AB\u202eC")])
    with pytest.raises(inventory.InvalidVoucherCode):
        inventory.voucher_codes_add(
            variant=variant, codes=[inventory.NewCode(code="GOOD-1", pin="\x00")]
        )
    assert not VoucherCode.objects.exists()


@pytest.mark.parametrize(
    "forged",
    [
        {"format": "abc"},
        {"format": "7"},
        {"format": "-1"},
        {"format": XLSX},  # the CSV read as Excel
        {"format": ""},
        {"import_file_name": "tmpnothere1"},
        {"import_file_name": "../../../etc/passwd"},
        {"import_file_name": "codes.csv"},
        {"import_file_name": ""},
        {"resource": "3"},
        {"resource": "x"},
        {"original_file_name": "codes\x00.csv"},
    ],
    ids=lambda forged: "-".join(f"{k}={v!r}" for k, v in forged.items()),
)
def test_a_forged_confirmation_is_a_form_error_and_imports_nothing(operator_client, forged):
    # given a good preview
    VariantFactory(sku="amazon-pay-500")
    preview = upload(operator_client, csv_file("sku,code\namazon-pay-500,FORGED-1\n"), CSV)
    form = preview.context["confirm_form"]

    # when its hidden fields come back changed
    response = operator_client.post(CONFIRM, {**form.initial, **forged, "confirm": "Confirm"})

    # then the page says so and offers a fresh upload
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="confirm-errors"' in html and "Upload the file again" in html
    assert "Confirm import" not in html
    assert not VoucherCode.objects.exists()


def test_a_confirmation_naming_a_file_the_admin_did_not_seal_is_a_form_error(operator_client):
    VariantFactory(sku="amazon-pay-500")
    preview = upload(operator_client, csv_file("sku,code\namazon-pay-500,SEALED-1\n"), CSV)
    form = preview.context["confirm_form"]
    with tempfile.NamedTemporaryFile("w", delete=False) as plain:
        plain.write("sku,code\namazon-pay-500,PLANTED-1\n")
    try:
        forged = {**form.initial, "import_file_name": Path(plain.name).name}
        response = operator_client.post(CONFIRM, {**forged, "confirm": "Confirm"})
    finally:
        Path(plain.name).unlink()

    assert response.status_code == 200
    assert 'id="confirm-errors"' in response.content.decode()
    assert not VoucherCode.objects.exists()


def test_the_import_page_explains_the_columns(operator_client):
    html = operator_client.get(IMPORT).content.decode()

    assert "sku, code, pin, expires_on" in html
    assert "YYYY-MM-DD" in html


# --- Who may come in -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PRODUCTS, DENOMINATIONS, CODES, IMPORT])
def test_shoppers_and_unverified_staff_are_kept_out(client, url):
    shopper = UserFactory()
    client.force_login(shopper)
    assert client.get(url).status_code == 302

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)  # signed in, but without a second factor this session
    assert client.get(url).status_code == 302


def test_staff_who_may_only_view_codes_cannot_import_or_void(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_vouchercode"))
    sign_in_verified(client, viewer)
    [code] = stock(VariantFactory(sku="amazon-pay-500"), 1)

    listing = client.get(CODES)
    imported = upload(client, csv_file("sku,code\namazon-pay-500,NOPE-1\n"), CSV)

    assert listing.status_code == 200
    assert "void_selected" not in listing.content.decode()
    assert imported.status_code == 403
    assert list(VoucherCode.objects.values_list("pk", flat=True)) == [code.pk]
