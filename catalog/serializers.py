"""API shapes for catalog: the category tree, merchant cards and details, and the list
filters. Slugs are the public ids; database ids never leave the server."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import CashbackKind, Category, Merchant
from catalog.selectors import merchant_best_cashback, merchant_cashback_label
from coupzii.core.files import public_file_url

# --- Errors (the one shape coupzii.core.errors answers) ------------------------------------


# --- Categories ------------------------------------------------------------------------------


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name"]
        read_only_fields = fields


class CategoryChildSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name", "icon"]
        read_only_fields = fields


class CategoryTreeSerializer(serializers.ModelSerializer):
    """A top-level category with its active children (from `categories_active`)."""

    children = CategoryChildSerializer(many=True, read_only=True)

    class Meta:
        model = Category
        fields = ["slug", "name", "icon", "children"]
        read_only_fields = fields


# --- Merchants -------------------------------------------------------------------------------


class LogoUrlMixin:
    @extend_schema_field(OpenApiTypes.URI)
    def get_logo_url(self, merchant: Merchant) -> str | None:
        # No logo: clients draw an initials badge in `brand_color`.
        return public_file_url(merchant.logo, request=self.context.get("request"))


class MerchantRefSerializer(LogoUrlMixin, serializers.ModelSerializer):
    """The merchant as shown on an offer card."""

    logo_url = serializers.SerializerMethodField(allow_null=True)

    class Meta:
        model = Merchant
        fields = ["slug", "name", "logo_url", "brand_color"]
        read_only_fields = fields


class MerchantCardSerializer(LogoUrlMixin, serializers.ModelSerializer):
    """A merchant in a list; needs `live_offer_count` annotated and categories prefetched, as
    the catalog selectors do."""

    logo_url = serializers.SerializerMethodField(allow_null=True)
    cashback_label = serializers.SerializerMethodField(
        # xgettext:no-python-format
        help_text=_('"Up to 7% cashback", "Flat ₹150 cashback", or "" without cashback.')
    )
    live_offer_count = serializers.IntegerField(read_only=True)
    categories = CategoryRefSerializer(many=True, read_only=True)

    class Meta:
        model = Merchant
        fields = [
            "slug",
            "name",
            "logo_url",
            "brand_color",
            "featured",
            "cashback_label",
            "live_offer_count",
            "categories",
        ]
        read_only_fields = fields

    def get_cashback_label(self, merchant: Merchant) -> str:
        return merchant_cashback_label(merchant)


class CashbackSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CashbackKind.choices)
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    label = serializers.CharField()


class MerchantDetailSerializer(MerchantCardSerializer):
    """A merchant's page: the card plus cashback terms. offers.serializers adds its live offers
    and related merchants (catalog does not know about offers)."""

    cashback = serializers.SerializerMethodField()

    class Meta(MerchantCardSerializer.Meta):
        fields = [
            *MerchantCardSerializer.Meta.fields,
            "website",
            "description",
            "cashback",
            "cashback_terms",
            "confirmation_days",
        ]
        read_only_fields = fields

    @extend_schema_field(CashbackSerializer)
    def get_cashback(self, merchant: Merchant) -> dict:
        # The store's best rate now (its own or a live offer's), as its page's header says.
        kind, value = merchant_best_cashback(merchant)
        return {
            "kind": kind,
            "value": f"{value:.2f}",
            "label": merchant_cashback_label(merchant),
        }


# --- Inputs ----------------------------------------------------------------------------------


class MerchantListInputSerializer(serializers.Serializer):
    """Query parameters of GET /api/v1/merchants/."""

    q = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=100, help_text=_("Name contains.")
    )
    category = serializers.SlugField(
        required=False,
        default="",
        allow_blank=True,
        help_text=_("A category slug; a top-level category includes its children."),
    )
    featured = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true: only featured merchants; false: only the others."),
    )
