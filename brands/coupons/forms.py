"""Forms of the coupons area: an offer (create and edit), a product, the list's filters and
the bulk upload. They parse; the services decide and their refusals land on the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from coupzii.core.forms import DomainErrorFormMixin
from offers.models import DiscountType, OfferKind

from ..models import BrandProduct
from . import selectors
from .uploads import MAX_UPLOAD_BYTES

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class CouponForm(DomainErrorFormMixin, forms.Form):
    """An offer and its brand side. `membership` decides the stores, departments and
    products offered; the service checks them again."""

    field_for_key = {"merchant": "store", "__all__": None}

    kind = forms.ChoiceField(label=_("Kind"), choices=OfferKind.choices)
    title = forms.CharField(label=_("Title"), max_length=160)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("The code shoppers type, for a coupon-code offer only."),
    )
    discount_type = forms.ChoiceField(label=_("Discount type"), choices=DiscountType.choices)
    discount_value = forms.DecimalField(
        label=_("Value"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text=_("Percent or rupees; optional for buy-one-get-one and free shipping."),
    )
    min_order = forms.DecimalField(
        label=_("Minimum order (₹)"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    max_discount = forms.DecimalField(
        label=_("Maximum discount (₹)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text=_("For a percentage discount only."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.order_by("name"),
        required=False,
        empty_label=_("No category"),
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products"),
        queryset=BrandProduct.objects.none(),
        required=False,
        help_text=_("None chosen: the offer is good on every product."),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), required=False, widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS
    )
    total_stock = forms.IntegerField(
        label=_("Total stock"),
        required=False,
        min_value=1,
        max_value=2_000_000_000,
        help_text=_("How many times it can be used in all; empty for no limit."),
    )
    uses_per_shopper = forms.IntegerField(
        label=_("Uses per shopper"), min_value=1, max_value=1000, initial=1
    )
    terms = forms.CharField(
        label=_("Terms"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    image = forms.ImageField(label=_("Image"), required=False)
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, empty_label=None)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=None, required=False, empty_label=_("No department")
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        brand = membership.brand
        self.fields["store"].queryset = selectors.stores_of(brand=brand)
        self.fields["store"].label_from_instance = lambda store: store.merchant.name
        self.fields["products"].queryset = selectors.products_of(brand=brand)
        self.fields["department"].queryset = selectors.departments_for(membership=membership)
        if selectors.must_file_in_own_department(membership):
            self.fields["department"].required = True
            self.fields["department"].empty_label = None

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def service_values(self) -> dict:
        """The cleaned form as coupon_create / coupon_update take it."""
        values = dict(self.cleaned_data)
        values["merchant"] = values.pop("store").merchant
        values["products"] = list(values["products"])
        if not values.get("image"):
            values.pop("image", None)
        return values


def coupon_initial(brand_offer) -> dict:
    """The edit form's starting values."""
    offer = brand_offer.offer
    store = next(
        (s for s in brand_offer.brand.stores.all() if s.merchant_id == offer.merchant_id), None
    )
    return {
        "kind": offer.kind,
        "title": offer.title_en,
        "description": offer.description_en,
        "code": offer.code,
        "discount_type": offer.discount_type,
        "discount_value": offer.discount_value,
        "min_order": offer.min_order,
        "max_discount": offer.max_discount,
        "category": offer.category_id,
        "products": list(brand_offer.products.all()),
        "starts_at": offer.starts_at,
        "ends_at": offer.ends_at,
        "total_stock": brand_offer.total_stock,
        "uses_per_shopper": brand_offer.uses_per_shopper,
        "terms": offer.terms_en,
        "store": store,
        "department": brand_offer.department_id,
    }


class ProductForm(DomainErrorFormMixin, forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=160)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.order_by("name"), required=False
    )
    price = forms.DecimalField(
        label=_("Price (₹)"), required=False, max_digits=12, decimal_places=2, min_value=0
    )


class CouponFilterForm(forms.Form):
    """The list's filters, read from the query string; a bad value is simply ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *selectors.COUPON_STATUS_CHOICES],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *OfferKind.choices]
    )
    store = forms.ChoiceField(label=_("Store"), required=False, choices=[])

    def __init__(self, *args, brand, **kwargs):
        super().__init__(*args, **kwargs)
        stores = selectors.stores_of(brand=brand)
        self.fields["store"].choices = [("", _("Every store"))] + [
            (store.merchant.slug, store.merchant.name) for store in stores
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data["status"],
            "kind": data["kind"],
            "store": data["store"],
            "search": data["q"],
        }


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("At most 5 MB and 5,000 rows; the first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB: split it."))
        return upload
