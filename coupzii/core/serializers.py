"""Serializers every API shares: the one error shape that coupzii.core.errors answers, money
fields, named enum components for the schema, and query parameters read through a serializer."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

# Money in the API is a string with 2 decimals ("500.00"), never a float.
MONEY = {"max_digits": 12, "decimal_places": 2}


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


def money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY, read_only=True, **kwargs)


_ENUM_FIELDS: dict[str, type[serializers.ChoiceField]] = {}


def enum_field(name: str, choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose choice set is one named schema component, `<name>Enum`.

    Fields like "status", "kind" and "method" share their names across apps' enums;
    drf-spectacular would then name the sets by hash and warn (failing the schema check). A
    component of our own keeps each name stable whatever other apps add later.
    """
    field_class = _ENUM_FIELDS.get(name)
    if field_class is None:
        schema = {
            "type": "string",
            "enum": [value for value, _label in choices],
            "description": "\n".join(f"* `{value}` - {label}" for value, label in choices),
        }
        field_class = type(f"{name}Field", (serializers.ChoiceField,), {})
        field_class = extend_schema_field(schema, component_name=f"{name}Enum")(field_class)
        _ENUM_FIELDS[name] = field_class
    return field_class(choices=choices, **kwargs)


def parse_query(input_serializer: type[serializers.Serializer], request) -> dict:
    """Validate query parameters with `input_serializer`; a bad value raises ValidationError,
    which the API answers 400 with a message per parameter under `error.fields`."""
    parsed = input_serializer(data=request.query_params.dict())
    parsed.is_valid(raise_exception=True)
    return parsed.validated_data


#: The schema's answer for a list whose query parameters did not validate (parse_query).
BAD_QUERY = OpenApiResponse(ApiErrorSerializer, description=_("A query parameter is not valid."))
