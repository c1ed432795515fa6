"""The voucher-code import of the admin: rows of `sku, code, pin, expires_on` from CSV or XLSX,
each checked before anything is stored, a row-by-row report, and the waiting upload kept
encrypted between the preview and the confirmation.

Codes go in through catalog.inventory (normalised, keyed hash, encrypted); the preview shows
them masked like the rest of the admin. VoucherCodeAdmin (gift_cards.py) uses these classes.
"""

import base64
import csv
import re
import zipfile
from collections import defaultdict
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.forms import ConfirmImportForm
from import_export.tmp_storages import TempFolderStorage

from coupzii.core.crypto import InvalidToken, decrypt, encrypt

from .. import inventory
from ..inventory import NewCode
from ..models import Variant, VoucherCode

if TYPE_CHECKING:
    from .gift_cards import VoucherCodeAdmin

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# What tempfile names the file waiting between preview and confirmation ("tmpk3j_a9z2").
WAITING_FILE_NAME = re.compile(r"tmp[a-z0-9_]{8}")


def masked(code: str) -> str:
    """ "••••4F2K": enough for an operator to tell codes apart on a call, never the code."""
    return f"••••{code[-4:]}" if code else "—"


class MaskedCodeWidget(widgets.CharWidget):
    def render(self, value, obj=None, **kwargs):
        return masked(value) if value else ""


class HiddenPinWidget(widgets.CharWidget):
    def render(self, value, obj=None, **kwargs):
        return "••••" if value else ""


class VoucherCodeResource(resources.ModelResource):
    """Rows of `sku, code, pin, expires_on` (YYYY-MM-DD or empty). Every row is checked before
    anything is stored: an unknown SKU, an empty code, a bad or past date, a code already in
    the inventory or repeated in the file each refuse the row, and import-export then refuses
    the whole file. Good rows go through inventory.voucher_codes_add, which normalises the
    code, keys its hash and stores code and PIN encrypted.

    The preview shows codes masked, like the rest of the admin.
    """

    # What the preview shows: the fields read the stored instance, and the widgets mask.
    sku = fields.Field(attribute="variant__sku", column_name="sku")
    code = fields.Field(attribute="code", column_name="code", widget=MaskedCodeWidget())
    pin = fields.Field(attribute="pin", column_name="pin", widget=HiddenPinWidget())
    expires_on = fields.Field(
        attribute="expires_on", column_name="expires_on", widget=widgets.DateWidget("%Y-%m-%d")
    )

    REQUIRED = ("sku", "code")

    class Meta:
        model = VoucherCode
        name = _("Voucher codes: sku, code, pin, expires_on")
        fields = ("sku", "code", "pin", "expires_on")
        import_id_fields = ()
        # Every row is a new code: nothing is looked up or updated.
        force_init_instance = True
        # Rows are stored one by one (through the service), each in its own savepoint, and
        # import-export rolls the whole file back on any error.
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Filled by before_import; empty if it refused the file (its error is then shown).
        self._variants: dict[str, Variant] = {}
        self._rows_of_digest: dict[str, list[int]] = defaultdict(list)
        self._in_inventory: set[str] = set()
        self._earliest = timezone.localdate()

    # -- Before the rows: read the whole file once ------------------------------------------

    def before_import(self, dataset, **kwargs):
        dataset.headers = [str(header or "").strip().lower() for header in dataset.headers or []]
        missing = [column for column in self.REQUIRED if column not in dataset.headers]
        if missing:
            raise ValueError(
                gettext(
                    "The file needs the columns sku and code (pin and expires_on are "
                    "optional) in its first row. Missing: %(columns)s."
                )
                % {"columns": ", ".join(missing)}
            )
        # Spreadsheets often end in blank rows: drop those at the end only, so the row numbers
        # in the report stay those of the file.
        while len(dataset) and all(_blank(value) for value in dataset[-1]):
            del dataset[-1]
        skus = {_text(value) for value in dataset["sku"]} - {""}
        self._variants = {v.sku: v for v in Variant.objects.filter(sku__in=skus)}
        for number, value in enumerate(dataset["code"], 1):
            code = inventory.normalise_code(_text(value))
            if code:
                self._rows_of_digest[inventory.code_digest(code)].append(number)
        self._in_inventory = inventory.duplicate_digests(self._rows_of_digest)

    # -- Each row -------------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        number = kwargs.get("row_number")
        errors: dict[str, list[str]] = {}

        sku = _text(row.get("sku"))
        variant = self._variants.get(sku)
        if not sku:
            errors["sku"] = [gettext("Enter the SKU of the denomination.")]
        elif variant is None:
            errors["sku"] = [gettext("No denomination has the SKU %(sku)s.") % {"sku": sku}]

        code = inventory.normalise_code(_text(row.get("code")))
        digest = inventory.code_digest(code) if code else ""
        if not code:
            errors["code"] = [gettext("Enter the code.")]
        elif problem := inventory.voucher_code_problem(code):
            errors["code"] = [problem]
        elif digest in self._in_inventory:
            errors["code"] = [gettext("This code is already in the inventory.")]
        else:
            others = [other for other in self._rows_of_digest[digest] if other != number]
            if others:
                errors["code"] = [
                    gettext("This code is also on row %(rows)s of the file.")
                    % {"rows": ", ".join(str(other) for other in others)}
                ]

        pin = _text(row.get("pin"))
        if problem := inventory.voucher_pin_problem(pin):
            errors["pin"] = [problem]

        expires_on, date_error = self._expiry(row.get("expires_on"))
        if date_error:
            errors["expires_on"] = [date_error]

        if errors:
            raise ValidationError(errors)
        instance.variant = variant
        instance.code = code
        instance.pin = pin
        instance.expires_on = expires_on
        instance.code_digest = digest

    def _expiry(self, value) -> tuple[date | None, str]:
        if _blank(value):
            return None, ""
        if isinstance(value, datetime):  # a date cell of a spreadsheet
            value = value.date()
        if not isinstance(value, date):
            text = _text(value)
            try:
                if not ISO_DATE.match(text):
                    raise ValueError(text)
                value = date.fromisoformat(text)
            except ValueError:
                return None, gettext(
                    "Enter the date as YYYY-MM-DD (2026-12-31), or leave it empty."
                )
        if value < self._earliest:
            return None, gettext("This date has passed: the code has expired.")
        return value, ""

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the table's id sequence to max(id) here, for rows imported
        # with their ids. Ours take ids from the sequence; and a reset could move it back
        # below the ids of codes another transaction is adding at the same moment.
        pass

    def save_instance(self, instance, is_create, row, **kwargs):
        # Stored through the inventory service (encryption, keyed hash), also in the dry run:
        # import-export rolls that back, and a code added meanwhile by someone else still
        # shows up in the preview, as the unique index refuses it.
        [stored] = inventory.voucher_codes_add(
            variant=instance.variant,
            codes=[NewCode(code=instance.code, pin=instance.pin, expires_on=instance.expires_on)],
        )
        instance.pk = stored.pk


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    """A cell as text: spreadsheets hand numbers over as int or float (123456.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class SealedTempStorage(TempFolderStorage):
    """Where the uploaded file waits between the preview and the confirmation: the temp
    folder, as import-export does, but encrypted like the codes it holds (an abandoned
    preview leaves no readable codes on disk)."""

    def save(self, data):
        raw = data.encode(self.encoding or "utf-8") if isinstance(data, str) else data
        sealed = encrypt(base64.b64encode(raw).decode("ascii"))
        with self._open(mode="wb") as file:
            file.write(sealed.encode("ascii"))

    def read(self):
        with open(self.get_full_path(), "rb") as file:
            raw = base64.b64decode(decrypt(file.read().decode("ascii")))
        if "b" in self.read_mode:
            return raw
        return raw.decode(self.encoding or "utf-8")


class SealedConfirmImportForm(ConfirmImportForm):
    """The confirmation step, checked before anything is read: its hidden fields come back
    from the browser, and a forged file name, format or resource must be a form error, not a
    ValueError, IndexError, FileNotFoundError, InvalidToken or BadZipFile deep in the import.
    """

    STALE = _(
        "This upload can't be confirmed: it has expired, was imported already, or the form "
        "was changed. Upload the file again."
    )

    # Set by VoucherCodeAdmin.create_confirm_form: the formats, resources and encoding it uses.
    import_admin: "VoucherCodeAdmin"

    def clean_import_file_name(self):
        name = super().clean_import_file_name()
        if not WAITING_FILE_NAME.fullmatch(name):
            raise ValidationError("Not a waiting upload's name.", code="stale")
        return name

    def clean_format(self):
        return self._index(self.cleaned_data["format"], len(self.import_admin.get_import_formats()))

    def clean_resource(self):
        resources = self.import_admin.get_import_resource_classes(None)
        return self._index(self.cleaned_data.get("resource") or "0", len(resources))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            # Hidden fields the operator can't mend: one message, and the way back.
            raise ValidationError(self.STALE, code="stale")
        self._check_readable(cleaned)
        return cleaned

    def _index(self, value: str, count: int) -> str:
        if value not in {str(index) for index in range(count)}:
            raise ValidationError("Not one of the choices.", code="stale")
        return value

    def _check_readable(self, cleaned) -> None:
        # The same read process_import does next, so a file that can't be opened or isn't in
        # the chosen format is refused here (a CSV posted as Excel is a BadZipFile there).
        admin_ = self.import_admin
        input_format = admin_.get_import_formats()[int(cleaned["format"])](
            encoding=admin_.from_encoding
        )
        storage = admin_.get_tmp_storage_class()(
            name=cleaned["import_file_name"],
            encoding=None if input_format.is_binary() else admin_.from_encoding,
            read_mode=input_format.get_read_mode(),
        )
        try:
            input_format.create_dataset(storage.read())
        except (OSError, ValueError, KeyError, InvalidToken, zipfile.BadZipFile, csv.Error):
            raise ValidationError(self.STALE, code="stale") from None
