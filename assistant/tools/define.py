"""How reading.py and acting.py declare a tool: one decorator that registers it with its strict
schema, checks the arguments against that schema and runs it in the shopper's language."""

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext as _

from . import Tool, ToolContext, ToolResult, tool_register
from .arguments import BadArguments, arguments_check

#: Rows a list tool returns when not asked, and the most it returns: the model's context is
#: small, and the shopper reads a handful of cards, not a page.
LIMIT_DEFAULT = 5
LIMIT_MAX = 10

LIMIT = {
    "type": "integer",
    "minimum": 1,
    "maximum": LIMIT_MAX,
    "default": LIMIT_DEFAULT,
    "description": "How many rows to return (1-10).",
}


def text(description: str, *, max_length: int = 100, default: str = "") -> dict:
    """A string argument's schema."""
    return {
        "type": "string",
        "maxLength": max_length,
        "default": default,
        "description": description,
    }


def ref(description: str) -> dict:
    """A required public id (a UUID string) or slug the tools gave in an earlier result."""
    return {"type": "string", "maxLength": 80, "description": description}


def schema(properties: dict, required: tuple[str, ...] = ()) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def error(message: str) -> ToolResult:
    return ToolResult(data={"error": str(message)})


def tool(
    name: str, description: str, parameters: dict, *, acts: bool = False
) -> Callable[[Callable[..., ToolResult]], Tool]:
    """Register `function(ctx, **arguments)` as a tool. Arguments the schema refuses come back
    as an error result the model can read and correct."""

    def register(function: Callable[..., ToolResult]) -> Tool:
        def run(ctx: ToolContext, args: dict) -> ToolResult:
            with translation.override(ctx.language):
                if not getattr(ctx.user, "is_authenticated", False):
                    # Every tool is some shopper's: without one there is nothing to scope to.
                    return error(_("Sign in to ask about offers, coupons and your wallet."))
                try:
                    checked = arguments_check(parameters, args)
                except BadArguments as refused:
                    return error(str(refused))
                return function(ctx, **checked)

        return tool_register(
            Tool(name=name, description=description, parameters=parameters, run=run, acts=acts)
        )

    return register
