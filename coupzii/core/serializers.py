"""Serializers every API shares: the one error shape that coupzii.core.errors answers."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ApiErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Stable: clients switch on it."))
    message = serializers.CharField(help_text=_("For people, in their language."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages to show next to each input (body field, query parameter, header)."),
    )


class ApiErrorSerializer(serializers.Serializer):
    """`{"error": {"code", "message", "fields"}}`, for the OpenAPI schema."""

    error = ApiErrorDetailSerializer()
