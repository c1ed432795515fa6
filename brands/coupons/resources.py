"""Bulk upload of coupons with django-import-export: the columns, how each cell is read, and
the resource that writes every row as a draft of the brand through coupon_create.

Every row is checked (the cells here, then the offer's rules and the brand's side in the
service) before anything is kept: import_data runs in one transaction, rolled back after a
dry run and whenever any row is refused (`rollback_on_validation_errors`).
"""

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from import_export import resources

from catalog.models import Category
from offers.models import DiscountType, Offer, OfferKind

from ..models import Brand, BrandProduct, OfferChangeAction
from . import selectors, services

#: The columns of the template, in order; (name, required, example).
COLUMNS = (
    ("title", True, "20% off running shoes"),
    ("kind", True, "code"),
    ("code", False, "RUN20"),
    ("discount_type", True, "percentage"),
    ("discount_value", False, "20"),
    ("min_order", False, "999"),
    ("max_discount", False, "500"),
    ("starts_at", False, "2026-12-01"),
    ("ends_at", False, "2026-12-31 23:59"),
    ("store", False, ""),
    ("category", False, ""),
    ("products", False, ""),
    ("total_stock", False, "1000"),
    ("uses_per_shopper", False, "1"),
    ("department", False, ""),
    ("description", False, "On every pair of running shoes."),
    ("terms", False, "One use per shopper. Not with other offers."),
)
COLUMN_NAMES = tuple(name for name, _required, _example in COLUMNS)
REQUIRED_COLUMNS = tuple(name for name, required, _example in COLUMNS if required)
# Report progress to the page every so many rows.
PROGRESS_EVERY = 25
DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d")
SKU_SEPARATORS = re.compile(r"[;,|\n]")


def progress_key(job_public_id) -> str:
    return f"brands:upload:{job_public_id}:processed"


class CouponResource(resources.ModelResource):
    """One new draft offer per row, of `brand`, written as `actor` (a member)."""

    class Meta:
        model = Offer
        fields = ()
        import_id_fields = ()
        # Every row is a new offer: nothing is looked up or updated.
        force_init_instance = True
        use_transactions = True
        skip_diff = True
        clean_model_instances = False

    def __init__(self, *, membership, actor, job_public_id=None, **kwargs):
        super().__init__(**kwargs)
        self.membership = membership
        self.brand: Brand = membership.brand
        self.actor = actor
        self.job_public_id = job_public_id
        self._stores = {}
        self._categories = {}
        self._products = {}
        self._departments = {}
        self._row_values: dict[int, dict] = {}

    # -- The whole file ---------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        dataset.headers = [_header(header) for header in dataset.headers or []]
        missing = [column for column in REQUIRED_COLUMNS if column not in dataset.headers]
        if missing:
            raise ValueError(
                gettext("The first row must name the columns. Missing: %(columns)s.")
                % {"columns": ", ".join(missing)}
            )
        self._stores = {
            store.merchant.slug: store.merchant for store in selectors.stores_of(brand=self.brand)
        }
        self._categories = {category.slug: category for category in Category.objects.all()}
        self._products = {
            product.sku.lower(): product
            for product in BrandProduct.objects.filter(brand=self.brand)
        }
        self._departments = {
            department.name.lower(): department
            for department in selectors.departments_for(membership=self.membership)
        }

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the offers table's id sequence here; ours come from the
        # sequence, and a reset could move it below ids another transaction is taking.
        pass

    # -- Each row ---------------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        values, errors = self.row_values(row)
        if errors:
            raise ValidationError(errors)
        instance._coupon_values = values

    def save_instance(self, instance, is_create, row, **kwargs):
        values = instance._coupon_values
        try:
            brand_offer = services.coupon_create(
                brand=self.brand,
                actor=self.actor,
                action=OfferChangeAction.UPLOADED,
                **values,
            )
        except services.CouponInvalid as exc:
            fields = {("store" if key == "merchant" else key): v for key, v in exc.fields.items()}
            raise ValidationError(fields) from None
        instance.pk = brand_offer.offer.pk
        instance.public_id = brand_offer.offer.public_id
        instance.title = brand_offer.offer.title_en

    def after_import_row(self, row, row_result, **kwargs):
        number = kwargs.get("row_number") or 0
        if self.job_public_id and number % PROGRESS_EVERY == 0:
            # Not the job row: it is inside this (possibly rolled back) transaction, and the
            # page polls from another connection. The job row gets the total when done.
            cache.set(progress_key(self.job_public_id), number, 60 * 60)

    def row_values(self, row) -> tuple[dict, dict]:
        """The row's cells read into coupon_create's arguments, and the cells refused."""
        errors: dict[str, list[str]] = {}
        values: dict = {}

        def refuse(column, message):
            errors.setdefault(column, []).append(message)

        values["title"] = _text(row.get("title"))
        values["description"] = _text(row.get("description"))
        values["terms"] = _text(row.get("terms"))
        values["code"] = _text(row.get("code")).upper()
        values["kind"] = _choice(row.get("kind"), OfferKind, "kind", refuse)
        values["discount_type"] = _choice(
            row.get("discount_type"), DiscountType, "discount_type", refuse
        )
        for column in ("discount_value", "min_order", "max_discount"):
            values[column] = _amount(row.get(column), column, refuse)
        values["starts_at"] = _when(row.get("starts_at"), "starts_at", refuse) or timezone.now()
        values["ends_at"] = _when(row.get("ends_at"), "ends_at", refuse, end_of_day=True)
        values["total_stock"] = _whole(row.get("total_stock"), "total_stock", refuse)
        uses = _whole(row.get("uses_per_shopper"), "uses_per_shopper", refuse)
        values["uses_per_shopper"] = 1 if uses is None else uses
        values["merchant"] = self._store(_text(row.get("store")), refuse)
        values["category"] = self._lookup(
            self._categories, _text(row.get("category")), "category", refuse
        )
        values["department"] = self._department(_text(row.get("department")), refuse)
        values["products"] = self._product_list(_text(row.get("products")), refuse)
        return values, errors

    def _store(self, slug: str, refuse):
        if not slug:
            if len(self._stores) == 1:
                return next(iter(self._stores.values()))
            refuse("store", gettext("Name the store (its slug): the brand has several."))
            return None
        merchant = self._stores.get(slug.lower())
        if merchant is None:
            refuse(
                "store",
                gettext("%(slug)s is not one of the brand's stores (%(stores)s).")
                % {"slug": slug, "stores": ", ".join(sorted(self._stores)) or "—"},
            )
        return merchant

    def _department(self, name: str, refuse):
        if not name:
            if selectors.must_file_in_own_department(self.membership):
                return self.membership.department
            return None
        department = self._departments.get(name.lower())
        if department is None:
            refuse(
                "department",
                gettext("%(name)s is not a department you may file offers under.") % {"name": name},
            )
        return department

    def _product_list(self, text: str, refuse) -> list:
        products = []
        for sku in filter(None, (part.strip() for part in SKU_SEPARATORS.split(text))):
            product = self._products.get(sku.lower())
            if product is None:
                refuse(
                    "products",
                    gettext("No product of the brand has the SKU %(sku)s.") % {"sku": sku},
                )
            else:
                products.append(product)
        return products

    @staticmethod
    def _lookup(table: dict, key: str, column: str, refuse):
        if not key:
            return None
        found = table.get(key.lower())
        if found is None:
            refuse(column, gettext("%(value)s is not known here.") % {"value": key})
        return found


# --- Cells -----------------------------------------------------------------------------------


def _header(value) -> str:
    return re.sub(r"\s+", "_", str(value or "").strip().lower().lstrip("\ufeff"))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # a spreadsheet's number cell
        value = int(value)
    return str(value).strip()


def _choice(value, choices, column: str, refuse) -> str:
    text = _text(value).lower()
    by_label = {str(label).lower(): key for key, label in choices.choices}
    normalised = text.replace(" ", "_").replace("-", "_")
    if normalised in choices.values:
        return normalised
    if text in by_label:
        return by_label[text]
    if not text:
        refuse(column, gettext("This column is required."))
    else:
        refuse(
            column,
            gettext("%(value)s is not one of: %(choices)s.")
            % {"value": text, "choices": ", ".join(choices.values)},
        )
    return ""


def _amount(value, column: str, refuse) -> Decimal | None:
    text = _text(value).replace(",", "").replace("₹", "").replace("%", "").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        refuse(column, gettext("Enter a number, such as 250 or 12.50."))
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        refuse(column, gettext("Enter an amount from 0 to 9,999,999,999.99."))
        return None
    if amount != amount.quantize(Decimal("0.01")):
        refuse(column, gettext("Use at most two decimal places."))
        return None
    return amount.quantize(Decimal("0.01"))


def _whole(value, column: str, refuse) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        refuse(column, gettext("Enter a whole number, such as 100."))
        return None
    return int(text)


def _when(value, column: str, refuse, *, end_of_day: bool = False) -> datetime | None:
    """A date (the day's start, or its last minute for an end) or a date and time, in the
    site's time zone; a spreadsheet's date cell as it is."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(23, 59) if end_of_day else time(0, 0))
    else:
        text = _text(value)
        moment = None
        for pattern in DATE_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
            except ValueError:
                continue
            if pattern == "%Y-%m-%d" and end_of_day:
                moment = moment.replace(hour=23, minute=59)
            break
        if moment is None:
            refuse(column, gettext("Enter a date as YYYY-MM-DD, or YYYY-MM-DD HH:MM."))
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
