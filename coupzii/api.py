"""API endpoints that belong to no single app."""

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from coupzii.core.money import RUPEE_SIGN
from coupzii.core.pagination import PageNumberPagination


@extend_schema(
    summary="Client configuration",
    description="What a mobile client needs before its first screen: languages and currency.",
    responses=inline_serializer(
        "ClientConfig",
        {
            "languages": serializers.ListField(child=serializers.DictField()),
            "currency": serializers.DictField(),
            "page_size": serializers.DictField(),
        },
    ),
)
@api_view(["GET"])
@permission_classes([AllowAny])
def client_config(request):
    return Response(
        {
            "languages": [{"code": code, "name": str(name)} for code, name in settings.LANGUAGES],
            "currency": {"code": "INR", "symbol": RUPEE_SIGN, "decimal_places": 2},
            "page_size": {
                "default": PageNumberPagination.page_size,
                "max": PageNumberPagination.max_page_size,
            },
        }
    )
