"""POST /api/v1/assistant/analyze-cart/: the ranked ways to pay for a cart at one store, for the
signed-in shopper (their locker, the store's offers and gift cards, other sellers' listings,
the store's cashback). Reads only; figures are strings with two decimals."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coupzii.core.money import InvalidAmount, column_amount
from coupzii.core.serializers import MONEY, ApiErrorSerializer, enum_field

from ..tools.cards import claims_checked
from . import MAX_ITEMS, MAX_NAME_CHARS, MAX_QUANTITY, analysis_cards, cart_analyze, option_summary

TAGS = ["assistant"]


# --- Input -----------------------------------------------------------------------------------


class CartItemInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=MAX_NAME_CHARS)
    category = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        default="",
        help_text=_('The category\'s slug ("fashion"); empty when unknown.'),
    )
    price = serializers.DecimalField(**MONEY, help_text=_("One unit's price in rupees."))
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)

    def validate_price(self, value):
        try:
            price = column_amount(value)
        except InvalidAmount as exc:
            raise serializers.ValidationError(_("Enter an amount in rupees.")) from exc
        if price <= 0:
            raise serializers.ValidationError(_("Enter a price above zero."))
        return price


class AnalyzeCartInputSerializer(serializers.Serializer):
    store = serializers.SlugField(max_length=120, help_text=_("The store's slug."))
    items = CartItemInputSerializer(many=True, min_length=1, max_length=MAX_ITEMS)


# --- Output ----------------------------------------------------------------------------------


RUPEES_HELP = _('Rupees with two decimals, e.g. "1250.00".')


def _money(help_text=RUPEES_HELP):
    return serializers.CharField(help_text=help_text)


class CouponUsedSerializer(serializers.Serializer):
    ref = serializers.CharField(help_text=_("The offer's, locker coupon's or listing's id."))
    source = enum_field("CartCouponSource", [(s, s) for s in ("locker", "offer", "listing")])
    title = serializers.CharField()
    cost = _money(help_text=_("What it costs (a listing's price), else 0.00."))


class GiftCardUsedSerializer(serializers.Serializer):
    sku = serializers.CharField()
    product = serializers.CharField(help_text=_("The gift card's slug (its page)."))
    title = serializers.CharField()
    quantity = serializers.IntegerField()
    face_value = _money()
    face_total = _money()
    price_total = _money()


class PayOptionSerializer(serializers.Serializer):
    summary = serializers.CharField()
    coupon = CouponUsedSerializer(allow_null=True)
    gift_card = GiftCardUsedSerializer(allow_null=True)
    subtotal = _money()
    discount = _money()
    coupon_cost = _money()
    gift_card_saving = _money()
    pay_now = _money()
    saving = _money()
    cashback = _money()
    cashback_by = serializers.DateField(allow_null=True)
    net = _money(help_text=_("Paid now minus cashback to come: what the options are ranked by."))


class RejectedSerializer(serializers.Serializer):
    ref = serializers.CharField()
    source = enum_field(
        "CartCandidateSource",
        [(s, s) for s in ("locker", "offer", "listing", "gift_card", "cashback")],
    )
    title = serializers.CharField()
    reason_code = serializers.CharField()
    reason = serializers.CharField()


class CardActionSerializer(serializers.Serializer):
    label = serializers.CharField()
    method = enum_field("CardActionMethod", [("get", "GET"), ("post", "POST")])
    url = serializers.CharField()
    fields = serializers.DictField(child=serializers.CharField())


class PayOptionCardSerializer(serializers.Serializer):
    type = serializers.CharField()
    ref = serializers.CharField()
    title = serializers.CharField()
    subtitle = serializers.CharField()
    image = serializers.CharField()
    facts = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    url = serializers.CharField()
    actions = CardActionSerializer(many=True)


class CartAnalysisSerializer(serializers.Serializer):
    store = serializers.CharField()
    subtotal = _money()
    options = PayOptionSerializer(many=True, help_text=_("Best first (at most 5)."))
    full_price = PayOptionSerializer(help_text=_("Paying the store's price, with its cashback."))
    rejected = RejectedSerializer(many=True, help_text=_("What does not apply, and why."))
    cards = PayOptionCardSerializer(many=True)


def _figure(amount) -> str:
    return f"{amount:.2f}"


def _option_body(option) -> dict:
    coupon, plan = option.coupon, option.gift_card
    return {
        "summary": option_summary(option),
        "coupon": {
            "ref": coupon.ref,
            "source": coupon.source,
            "title": coupon.title,
            "cost": _figure(option.coupon_cost),
        }
        if coupon
        else None,
        "gift_card": {
            "sku": plan.card.ref,
            "product": plan.card.product,
            "title": plan.card.title,
            "quantity": plan.quantity,
            "face_value": _figure(plan.card.face_value),
            "face_total": _figure(plan.face_total),
            "price_total": _figure(plan.price_total),
        }
        if plan
        else None,
        "subtotal": _figure(option.subtotal),
        "discount": _figure(option.discount),
        "coupon_cost": _figure(option.coupon_cost),
        "gift_card_saving": _figure(option.gift_card_saving),
        "pay_now": _figure(option.pay_now),
        "saving": _figure(option.saving),
        "cashback": _figure(option.cashback_amount),
        "cashback_by": option.cashback_by,
        "net": _figure(option.net),
    }


def analysis_body(analysis, *, user) -> dict:
    # A "Claim code" the shopper could not use (they hold the most codes of that offer) is
    # shown as what it is: their code, in My codes.
    cards = analysis_cards(analysis)
    claims_checked(cards, user=user)
    return {
        "store": analysis.cart.store,
        "subtotal": _figure(analysis.cart.subtotal),
        "options": [_option_body(option) for option in analysis.options],
        "full_price": _option_body(analysis.full_price),
        "rejected": [
            {
                "ref": item.candidate.ref,
                "source": item.candidate.source,
                "title": item.candidate.title,
                "reason_code": item.reason_code,
                "reason": item.reason,
            }
            for item in analysis.rejected
        ],
        "cards": cards,
    }


# --- The view ----------------------------------------------------------------------------------


@extend_schema(
    tags=TAGS,
    summary="Analyse a cart: the ranked ways to pay",
    description="For the signed-in shopper's cart at one store: the best ways to pay, each with "
    "the coupon (from their locker, the store's offers or a marketplace listing, at most one), "
    "the store's gift cards bought below face value, what is paid now, the saving, the cashback "
    "and when it is confirmed, ranked by the net price; and why each other candidate does not "
    "apply (`min_order_not_met`, `category_excluded`, `expired`, ...). Codes are never included.",
    request=AnalyzeCartInputSerializer,
    responses={
        200: CartAnalysisSerializer,
        400: OpenApiResponse(ApiErrorSerializer, description="`invalid`: messages by field."),
        401: OpenApiResponse(ApiErrorSerializer, description="Not signed in."),
        404: OpenApiResponse(ApiErrorSerializer, description="`cart_unknown_store`."),
    },
)
class AnalyzeCartView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        payload = AnalyzeCartInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        analysis = cart_analyze(
            user=request.user,
            store=payload.validated_data["store"],
            items=[dict(item) for item in payload.validated_data["items"]],
        )
        return Response(analysis_body(analysis, user=request.user))
