"""Checking a tool's arguments against its own JSON schema, before the tool reads anything.

The model (or a prompt injected into it) may send anything: unknown keys, numbers as strings,
a 10 MB string, a negative limit. Each tool's schema is strict (no other keys, typed, bounded)
and this module applies it, so a tool's `run` only ever sees values its schema allows, with
the schema's defaults filled in. Only the parts of JSON Schema the tools use are understood:
object (properties, required, additionalProperties false), string (maxLength, enum), integer
and number (minimum, maximum), boolean, null in a type list, and arrays of those.
"""

import re

from django.utils.translation import gettext as _

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


class BadArguments(ValueError):
    """An argument the schema does not allow; the message is for the model to correct it."""


def arguments_check(schema: dict, args: dict) -> dict:
    """`args` checked against the object `schema`, with defaults filled in.

    Raises BadArguments naming the first argument that is wrong."""
    return _object(schema, args, path="")


def _object(schema: dict, value, *, path: str) -> dict:
    if not isinstance(value, dict):
        raise BadArguments(_("%(name)s must be an object.") % {"name": path or _("The arguments")})
    properties = schema.get("properties", {})
    unknown = sorted(key for key in value if key not in properties)
    if unknown:
        # Named back only when it looks like a name: the key is the model's text, and may be
        # an instruction someone planted.
        name = unknown[0] if _NAME.fullmatch(unknown[0]) else _("an argument")
        raise BadArguments(
            _("Unknown argument: %(name)s. Allowed: %(allowed)s.")
            % {"name": _joined(path, name), "allowed": ", ".join(properties) or "-"}
        )
    missing = [key for key in schema.get("required", []) if key not in value]
    if missing:
        raise BadArguments(_("Missing argument: %(name)s.") % {"name": _joined(path, missing[0])})
    checked = {}
    for key, rule in properties.items():
        if key in value:
            checked[key] = _value(rule, value[key], path=_joined(path, key))
        elif "default" in rule:
            checked[key] = rule["default"]
    return checked


def _value(rule: dict, value, *, path: str):
    types = rule["type"] if isinstance(rule["type"], list) else [rule["type"]]
    if value is None:
        if "null" in types:
            return None
        raise BadArguments(_("%(name)s may not be empty.") % {"name": path})
    if "string" in types and isinstance(value, str):
        return _string(rule, value, path=path)
    # JSON has one number type and Python's bool is an int: check both ways.
    if "integer" in types and isinstance(value, int) and not isinstance(value, bool):
        return _bounded(rule, value, path=path)
    if "integer" in types and isinstance(value, float) and value.is_integer():
        return _bounded(rule, int(value), path=path)
    if "number" in types and isinstance(value, int | float) and not isinstance(value, bool):
        return _bounded(rule, value, path=path)
    if "boolean" in types and isinstance(value, bool):
        return value
    if "array" in types and isinstance(value, list):
        return _array(rule, value, path=path)
    if "object" in types and isinstance(value, dict):
        return _object(rule, value, path=path)
    wanted = " / ".join(kind for kind in types if kind != "null")
    raise BadArguments(_("%(name)s must be a %(type)s.") % {"name": path, "type": wanted})


def _string(rule: dict, value: str, *, path: str) -> str:
    value = value.strip()
    if "\x00" in value:
        raise BadArguments(_("%(name)s contains a character that is not allowed.") % {"name": path})
    if len(value) > rule.get("maxLength", 200):
        raise BadArguments(
            _("%(name)s is too long (at most %(count)d characters).")
            % {"name": path, "count": rule.get("maxLength", 200)}
        )
    if "enum" in rule and value not in rule["enum"]:
        raise BadArguments(
            _("%(name)s must be one of: %(choices)s.")
            % {"name": path, "choices": ", ".join(repr(choice) for choice in rule["enum"])}
        )
    return value


def _bounded(rule: dict, value, *, path: str):
    if "minimum" in rule and value < rule["minimum"]:
        raise BadArguments(
            _("%(name)s must be at least %(minimum)s.") % {"name": path, "minimum": rule["minimum"]}
        )
    if "maximum" in rule and value > rule["maximum"]:
        raise BadArguments(
            _("%(name)s must be at most %(maximum)s.") % {"name": path, "maximum": rule["maximum"]}
        )
    return value


def _array(rule: dict, value: list, *, path: str) -> list:
    if len(value) > rule.get("maxItems", 20):
        raise BadArguments(
            _("%(name)s has too many items (at most %(count)d).")
            % {"name": path, "count": rule.get("maxItems", 20)}
        )
    return [
        _value(rule["items"], item, path=f"{path}[{index}]") for index, item in enumerate(value)
    ]


def _joined(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
