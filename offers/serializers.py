"""API shapes for offers: the offer card, a merchant page with its offers, search results,
and the query-parameter inputs. Offers are identified by `public_id`, merchants and
categories by slug."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from catalog.serializers import (
    CategoryRefSerializer,
    MerchantCardSerializer,
    MerchantDetailSerializer,
    MerchantRefSerializer,
)
from offers import selectors
from offers.models import DiscountType, Offer, OfferKind

# --- Offers -----------------------------------------------------------------------------------


class OfferListSerializer(serializers.ListSerializer):
    """Reads every listed offer's uses-today counter in one Redis round trip (MGET), instead of
    one call per offer."""

    def to_representation(self, data):
        offers = list(data.all() if hasattr(data, "all") else data)
        self.child.uses_today = selectors.offers_uses_today(offers)
        self.child.now = timezone.now()
        try:
            return super().to_representation(offers)
        finally:
            self.child.uses_today = None


class OfferSerializer(serializers.ModelSerializer):
    """An offer card. `code` is shown only for shared codes (kind=code): unique codes are
    handed out one per shopper by the claim endpoint and never appear here."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    code = serializers.SerializerMethodField(
        help_text=_("The coupon code for kind=code; null for deals and unique codes.")
    )
    cashback_label = serializers.SerializerMethodField(
        help_text=_("This offer's cashback (its own or its merchant's), or \"\".")
    )
    merchant = MerchantRefSerializer(read_only=True)
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    uses_today = serializers.SerializerMethodField(help_text=_("How many shoppers used it today."))
    click_url = serializers.SerializerMethodField(
        help_text=_("The site path that records the click and redirects to the merchant.")
    )
    is_live = serializers.SerializerMethodField(
        help_text=_("false once the offer has ended: it can be shown, but not used.")
    )
    claimable = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "For kind=unique_code: whether a personal code can be claimed now (a live coupon "
            "book still has one). Always false for other kinds."
        ),
    )

    class Meta:
        model = Offer
        list_serializer_class = OfferListSerializer
        fields = [
            "id",
            "title",
            "description",
            "terms",
            "kind",
            "code",
            "discount_type",
            "discount_value",
            "min_order",
            "max_discount",
            "starts_at",
            "ends_at",
            "exclusive",
            "featured",
            "verified",
            "is_live",
            "claimable",
            "cashback_label",
            "merchant",
            "category",
            "uses_today",
            "click_url",
        ]
        read_only_fields = fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set by OfferListSerializer for a whole list; a single offer reads its own counter.
        self.uses_today = None
        self.now = None

    def get_code(self, offer: Offer) -> str | None:
        return offer.code if offer.kind == OfferKind.CODE and offer.code else None

    def get_cashback_label(self, offer: Offer) -> str:
        return selectors.offer_cashback_label(offer)

    def get_uses_today(self, offer: Offer) -> int:
        uses = self.uses_today
        if uses is None:
            uses = selectors.offers_uses_today([offer])
        return uses.get(offer.pk, 0)

    def get_click_url(self, offer: Offer) -> str:
        return f"/go/{offer.public_id}/"

    def get_is_live(self, offer: Offer) -> bool:
        return selectors.offer_is_live(offer, now=self.now)


# --- A merchant's page ------------------------------------------------------------------------


class MerchantPageSerializer(MerchantDetailSerializer):
    """A merchant with its live offers (at most 50) and related merchants.

    Expects `live_offers` and `related_merchants` attached by the view from the selectors."""

    offers = OfferSerializer(many=True, read_only=True, source="live_offers")
    related = MerchantCardSerializer(many=True, read_only=True, source="related_merchants")

    class Meta(MerchantDetailSerializer.Meta):
        fields = [*MerchantDetailSerializer.Meta.fields, "offers", "related"]
        read_only_fields = fields


# --- Search -----------------------------------------------------------------------------------


class SearchResultsSerializer(serializers.Serializer):
    merchants = MerchantCardSerializer(many=True, read_only=True)
    offers = OfferSerializer(many=True, read_only=True)


class SuggestionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["merchant", "offer"])
    label = serializers.CharField()
    slug = serializers.SlugField(required=False, help_text=_("For a merchant."))
    public_id = serializers.UUIDField(required=False, help_text=_("For an offer."))
    merchant_slug = serializers.SlugField(required=False, help_text=_("For an offer."))


class SuggestionsSerializer(serializers.Serializer):
    results = SuggestionSerializer(many=True)


# --- Inputs -----------------------------------------------------------------------------------


class OfferListInputSerializer(serializers.Serializer):
    """Query parameters of GET /api/v1/offers/."""

    merchant = serializers.SlugField(
        required=False, default="", allow_blank=True, help_text=_("A merchant slug.")
    )
    category = serializers.SlugField(
        required=False,
        default="",
        allow_blank=True,
        help_text=_("A category slug; a top-level category includes its children's offers."),
    )
    kind = serializers.ChoiceField(
        choices=OfferKind.choices, required=False, default="", allow_blank=True
    )
    discount_type = serializers.ChoiceField(
        choices=DiscountType.choices, required=False, default="", allow_blank=True
    )
    min_discount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Percentage and amount-off offers with at least this discount value."),
    )
    has_cashback = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true: only offers earning cashback; false: only those without."),
    )
    sort = serializers.ChoiceField(
        choices=[
            ("popular", _("Most clicked first")),
            ("newest", _("Newest first")),
            ("ending", _("Ending soonest first (only offers with an end date)")),
            ("cashback", _("Best cashback first: percentages, then flat amounts")),
        ],
        required=False,
        default="popular",
    )


class ExpiringInputSerializer(serializers.Serializer):
    within_days = serializers.IntegerField(
        min_value=1,
        max_value=30,
        required=False,
        default=3,
        help_text=_("Offers ending within this many days."),
    )


class SearchInputSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, help_text=_("What the shopper typed."))
    limit = serializers.IntegerField(
        min_value=1,
        max_value=50,
        required=False,
        default=20,
        help_text=_("At most this many merchants and this many offers."),
    )


class AutocompleteInputSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, help_text=_("What the shopper has typed so far."))
    limit = serializers.IntegerField(min_value=1, max_value=20, required=False, default=8)
