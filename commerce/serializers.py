"""API shapes for the shop: gift cards and their denominations, the priced cart, orders with
their lines, timeline, refunds and delivered codes, what the mobile Razorpay SDK needs to
open a payment, and the inputs (query parameters and request bodies).

Money is a string with 2 decimals ("490.00"), as everywhere in the API; only the gateway's
`amount` is integer paise, because that is what Razorpay's SDK takes. Gift cards are named by
slug, denominations by SKU, orders by their number; database ids never leave the server.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.services import normalize_phone
from catalog.models import Product, ProductImage, Variant
from catalog.serializers import CategoryRefSerializer, MerchantRefSerializer
from coupzii.core.files import public_file_url
from coupzii.core.serializers import enum_field, money

from .models import Gateway, Order, OrderEvent, OrderLine, OrderStatus, Refund, RefundStatus
from .services.promos import CODE_MAX_LENGTH

# Variant.max_quantity is a small integer column: no per-order limit can be above this.
QUANTITY_MAX = 32767
SKU_MAX_LENGTH = 80  # Variant.sku
SEARCH_MAX_LENGTH = 100


def _first_image_url(product: Product, context: dict) -> str | None:
    # `images` is prefetched in position order by every selector these serializers read.
    images = list(product.images.all())
    return _image_url(images[0], context) if images else None


def _image_url(image: ProductImage, context: dict) -> str:
    return public_file_url(image.image, request=context.get("request"))


# --- Gift cards --------------------------------------------------------------------------------


class DenominationSerializer(serializers.ModelSerializer):
    face_value = money(help_text=_("What the card is worth at the brand."))
    price = money(help_text=_("What it costs here; often below the face value."))
    stock = serializers.IntegerField(
        read_only=True, help_text=_("Codes on sale now; 0 means out of stock.")
    )
    min_quantity = serializers.IntegerField(read_only=True, help_text=_("Least per order."))
    max_quantity = serializers.IntegerField(read_only=True, help_text=_("Most per order."))

    class Meta:
        model = Variant
        fields = ["sku", "face_value", "price", "stock", "min_quantity", "max_quantity"]
        read_only_fields = fields


class ProductImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProductImage
        fields = ["url", "alt"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, image: ProductImage) -> str:
        return _image_url(image, self.context)


class ProductSerializer(serializers.ModelSerializer):
    """A gift card in the list (from `catalog.selectors.gift_cards_list`)."""

    brand = MerchantRefSerializer(source="merchant", read_only=True)
    category = CategoryRefSerializer(read_only=True)
    image_url = serializers.SerializerMethodField(
        allow_null=True, help_text=_("The first image; null when the card has none.")
    )
    best_saving_pct = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_("The largest discount off face value among its denominations, in percent."),
    )
    denominations = DenominationSerializer(
        source="sellable_variants",
        many=True,
        read_only=True,
        help_text=_("Lowest face value first."),
    )

    class Meta:
        model = Product
        fields = [
            "slug",
            "name",
            "brand",
            "category",
            "image_url",
            "best_saving_pct",
            "featured",
            "denominations",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_image_url(self, product: Product) -> str | None:
        return _first_image_url(product, self.context)


class ProductDetailSerializer(ProductSerializer):
    images = ProductImageSerializer(many=True, read_only=True)
    validity_days = serializers.IntegerField(
        read_only=True, help_text=_("How long a card stays valid from delivery, in days.")
    )

    class Meta(ProductSerializer.Meta):
        fields = [
            *ProductSerializer.Meta.fields,
            "description",
            "terms",
            "how_to_redeem",
            "validity_days",
            "images",
        ]
        read_only_fields = fields


class ProductQuerySerializer(serializers.Serializer):
    category = serializers.SlugField(
        required=False,
        default="",
        allow_blank=True,
        help_text=_("A category's slug; a top-level category includes its children."),
    )
    brand = serializers.SlugField(
        required=False, default="", allow_blank=True, help_text=_("A brand's slug.")
    )
    q = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Words in the card's or the brand's name."),
    )


# --- Cart --------------------------------------------------------------------------------------


class ProductRefSerializer(serializers.ModelSerializer):
    """The gift card a cart or order line is of."""

    brand = MerchantRefSerializer(source="merchant", read_only=True)
    image_url = serializers.SerializerMethodField(allow_null=True)

    class Meta:
        model = Product
        fields = ["slug", "name", "brand", "image_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_image_url(self, product: Product) -> str | None:
        return _first_image_url(product, self.context)


class CartLineSerializer(serializers.Serializer):
    """A `commerce.selectors.CartRow`: the line priced now."""

    sku = serializers.CharField(source="variant.sku", read_only=True)
    product = ProductRefSerializer(read_only=True)
    face_value = money(source="variant.face_value")
    unit_price = money(help_text=_("Today's price of one card."))
    quantity = serializers.IntegerField(source="line.quantity", read_only=True)
    line_total = money(help_text=_("unit_price x quantity."))
    discount = money(help_text=_("This line's share of the promo discount."))
    stock = serializers.IntegerField(read_only=True, help_text=_("Codes on sale now."))
    problem = serializers.CharField(
        read_only=True,
        help_text=_('Why this line can\'t be bought as it is ("Only 2 left."); "" when fine.'),
    )


class CartSerializer(serializers.Serializer):
    """A `commerce.selectors.PricedCart`: prices, stock, limits and the promo checked now."""

    lines = CartLineSerializer(source="rows", many=True, read_only=True)
    item_count = serializers.IntegerField(read_only=True, help_text=_("Cards in all lines."))
    promo_code = serializers.CharField(
        source="promo.code",
        read_only=True,
        allow_null=True,
        help_text=_("The promo code attached to the cart; null when none."),
    )
    promo_text = serializers.CharField(
        read_only=True, help_text=_('What the code gives ("10% off, up to ₹100"); "" if none.')
    )
    promo_error = serializers.CharField(
        read_only=True, help_text=_('Why the attached code gives nothing now; "" if it works.')
    )
    use_wallet = serializers.BooleanField(read_only=True)
    wallet_available = money(help_text=_("Wallet balance that can be spent on this order."))
    subtotal = money(source="breakdown.subtotal")
    discount = money(source="breakdown.discount")
    total = money(source="breakdown.total", help_text=_("subtotal - discount."))
    wallet = money(source="breakdown.wallet", help_text=_("Paid from the wallet."))
    payable = money(source="breakdown.payable", help_text=_("Left to pay online."))
    problems = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        read_only=True,
        help_text=_(
            'Messages by field: "lines.<sku>", "promo_code", "payable". Empty when the cart '
            "can be checked out."
        ),
    )
    can_check_out = serializers.BooleanField(read_only=True)


class CartLineAddSerializer(serializers.Serializer):
    sku = serializers.SlugField(max_length=SKU_MAX_LENGTH, help_text=_("The denomination's SKU."))
    quantity = serializers.IntegerField(
        min_value=1, max_value=QUANTITY_MAX, default=1, help_text=_("How many to add.")
    )


class CartUpdateSerializer(serializers.Serializer):
    sku = serializers.SlugField(
        max_length=SKU_MAX_LENGTH, required=False, help_text=_("With `quantity`: the line to set.")
    )
    quantity = serializers.IntegerField(
        min_value=0,
        max_value=QUANTITY_MAX,
        required=False,
        help_text=_("With `sku`: the line's new quantity; 0 removes it."),
    )
    promo_code = serializers.CharField(
        max_length=CODE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        help_text=_('A code to apply, or "" to remove the one applied.'),
    )
    use_wallet = serializers.BooleanField(
        required=False, help_text=_("Pay what the wallet can of the order.")
    )

    def validate(self, attrs):
        if ("sku" in attrs) != ("quantity" in attrs):
            missing = "quantity" if "sku" in attrs else "sku"
            raise serializers.ValidationError({missing: [_("Send `sku` and `quantity` together.")]})
        if not attrs:
            raise serializers.ValidationError(
                _("Send `sku` with `quantity`, `promo_code` or `use_wallet`.")
            )
        return attrs


class CartValidateSerializer(serializers.Serializer):
    promo_code = serializers.CharField(
        max_length=CODE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text=_('A code to apply first, or "" to remove the one applied.'),
    )
    use_wallet = serializers.BooleanField(required=False)


class CartDeleteQuerySerializer(serializers.Serializer):
    sku = serializers.SlugField(
        max_length=SKU_MAX_LENGTH,
        required=False,
        default="",
        allow_blank=True,
        help_text=_("Remove only this denomination; without it the whole cart is emptied."),
    )


# --- Checkout ----------------------------------------------------------------------------------


class OrderPlaceSerializer(serializers.Serializer):
    email = serializers.EmailField(
        required=False,
        max_length=254,
        help_text=_("Where the codes are sent; the account's email when left out."),
    )
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text=_('For the codes by SMS ("98765 43210" or "+919876543210"); optional.'),
    )

    def validate_phone(self, phone: str) -> str:
        if not phone.strip():
            return ""
        try:
            return normalize_phone(phone)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class PaymentVerifySerializer(serializers.Serializer):
    """What Razorpay Checkout hands the app when the payment succeeds."""

    razorpay_order_id = serializers.CharField(max_length=64)
    razorpay_payment_id = serializers.CharField(max_length=64)
    razorpay_signature = serializers.CharField(max_length=128)


class PrefillSerializer(serializers.Serializer):
    email = serializers.EmailField(read_only=True)
    contact = serializers.CharField(read_only=True, help_text=_('The phone, or "".'))


class GatewayCheckoutSerializer(serializers.Serializer):
    """The options for Razorpay Checkout (web or mobile SDK) to open this payment."""

    gateway = enum_field("PaymentGateway", Gateway.choices, read_only=True)
    key_id = serializers.CharField(read_only=True, help_text=_("Razorpay's public key id."))
    gateway_order_id = serializers.CharField(
        read_only=True, help_text=_("Razorpay's order id: Checkout's `order_id` option.")
    )
    amount = serializers.IntegerField(read_only=True, help_text=_("In paise."))
    currency = serializers.CharField(read_only=True, help_text=_('Always "INR".'))
    name = serializers.CharField(read_only=True, help_text=_("The merchant name to show."))
    description = serializers.CharField(read_only=True)
    prefill = PrefillSerializer(read_only=True)
    pay_url = serializers.URLField(
        read_only=True,
        help_text=_(
            "The web pay page, for paying in a browser (the shopper signs in there): what an "
            "app uses with the dev gateway, which Razorpay's SDK can't open."
        ),
    )


class WebhookAcceptedSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text=_('What the event did: "captured", "payment failed", "ignored: ...".')
    )


# --- Orders ------------------------------------------------------------------------------------


class OrderItemSerializer(serializers.ModelSerializer):
    """A line as the order list shows it."""

    sku = serializers.CharField(source="variant.sku", read_only=True)
    product_slug = serializers.CharField(source="variant.product.slug", read_only=True)
    face_value = money()

    class Meta:
        model = OrderLine
        fields = ["sku", "product_slug", "product_name", "face_value", "quantity"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    """An order in the list (from `commerce.selectors.orders_of`)."""

    status = enum_field("OrderStatus", OrderStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    subtotal = money()
    discount = money()
    total = money(help_text=_("subtotal - discount = wallet_amount + gateway_amount."))
    wallet_amount = money(help_text=_("Paid from the wallet."))
    gateway_amount = money(help_text=_("Paid (or to pay) online."))
    refunded_amount = money()
    item_count = serializers.SerializerMethodField(help_text=_("Cards in all lines."))
    items = OrderItemSerializer(source="lines", many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "number",
            "status",
            "status_label",
            "subtotal",
            "discount",
            "total",
            "wallet_amount",
            "gateway_amount",
            "refunded_amount",
            "item_count",
            "items",
            "created_at",
            "pay_by",
            "paid_at",
            "fulfilled_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_item_count(self, order: Order) -> int:
        return sum(line.quantity for line in order.lines.all())


class VoucherCodeSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    pin = serializers.CharField(read_only=True, help_text=_('"" when the card has no PIN.'))
    expires_on = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("null when the brand gives no expiry.")
    )


class OrderLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="variant.sku", read_only=True)
    product = ProductRefSerializer(source="variant.product", read_only=True)
    how_to_redeem = serializers.CharField(source="variant.product.how_to_redeem", read_only=True)
    face_value = money()
    unit_price = money()
    line_total = money(help_text=_("unit_price x quantity."))
    discount = money(help_text=_("This line's share of the order's discount."))
    refunded = serializers.SerializerMethodField()
    codes = serializers.SerializerMethodField(
        help_text=_("The delivered codes; empty until the order is delivered.")
    )

    class Meta:
        model = OrderLine
        fields = [
            "sku",
            "product",
            "product_name",
            "how_to_redeem",
            "face_value",
            "unit_price",
            "quantity",
            "line_total",
            "discount",
            "refunded",
            "codes",
        ]
        read_only_fields = fields

    def get_refunded(self, line: OrderLine) -> bool:
        return line.refund_id is not None

    @extend_schema_field(VoucherCodeSerializer(many=True))
    def get_codes(self, line: OrderLine) -> list[dict]:
        # `codes` ({line pk: [VoucherCode]}) comes from the view, which read them for the
        # order's owner with commerce.selectors.codes_by_line.
        codes = self.context.get("codes", {}).get(line.pk, [])
        return VoucherCodeSerializer(codes, many=True).data


class OrderEventSerializer(serializers.ModelSerializer):
    status = enum_field("OrderStatus", OrderStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = OrderEvent
        fields = ["status", "status_label", "note", "created_at"]
        read_only_fields = fields


class RefundSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    amount = money()
    wallet_amount = money(help_text=_("Back to the wallet."))
    gateway_amount = money(help_text=_("Back to the card, bank or UPI account."))
    status = enum_field("RefundStatus", RefundStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    reason = serializers.SerializerMethodField(
        help_text=_("Why it was refunded, in the request's language where the site wrote it.")
    )

    class Meta:
        model = Refund
        fields = [
            "id",
            "amount",
            "wallet_amount",
            "gateway_amount",
            "reason",
            "status",
            "status_label",
            "created_at",
        ]
        read_only_fields = fields

    def get_reason(self, refund: Refund) -> str:
        # Reasons the site writes are stored in English (gettext_noop) and translated here;
        # an operator's own words have no translation and come back as written.
        return gettext(refund.reason) if refund.reason else ""


class OrderDetailSerializer(OrderSerializer):
    """One order (from `commerce.selectors.order_of`), with its timeline, refunds, the codes
    once delivered, and `payment` while it awaits payment."""

    promo_code = serializers.CharField(source="promo.code", read_only=True, allow_null=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    events = OrderEventSerializer(
        many=True, read_only=True, help_text=_("The timeline, oldest first.")
    )
    refunds = RefundSerializer(many=True, read_only=True)
    payment = serializers.SerializerMethodField(
        help_text=_(
            "While the order awaits payment: the options to open Razorpay Checkout with. "
            "null otherwise."
        )
    )

    class Meta(OrderSerializer.Meta):
        fields = [
            *(name for name in OrderSerializer.Meta.fields if name != "items"),
            "promo_code",
            "email",
            "phone",
            "lines",
            "events",
            "refunds",
            "payment",
        ]
        read_only_fields = fields

    @extend_schema_field(GatewayCheckoutSerializer(allow_null=True))
    def get_payment(self, order: Order) -> dict | None:
        # Built by the view (it knows the gateway in use), only for an unpaid order.
        checkout = self.context.get("payment")
        return GatewayCheckoutSerializer(checkout).data if checkout else None
