"""The assistant's tools: what either engine may call, all scoped to the signed-in shopper.

A tool is a name, a description and a JSON schema for its arguments (what the model is shown)
and a function `run(ctx, args) -> ToolResult`. Reading tools call the other apps' selectors;
acting tools (`acts=True`) change nothing: they return a card whose button posts to the page
that does the action, so nothing happens without the shopper's click.

`ToolResult.data` is all the model ever sees of a result: opaque ids (public ids, slugs),
figures already formatted ("₹1,250.00"), and any text a brand, seller or screenshot wrote
wrapped by `assistant.safety.quoted` so it reads as data, not instructions. Codes and PINs are
never in it. `ToolResult.cards` is what the shopper sees, rendered by
`templates/assistant/_card.html` on pages and sent as JSON by the API.

A card is a dict:
    {"type": "offer" | "coupon" | "listing" | "gift_card" | "cashback" | "order" | "store"
             | "wallet" | "pay_option" | "action",
     "ref": "<public id or slug>", "title": str, "subtitle": str, "image": url or "",
     "facts": [[label, value], ...], "url": page link or "",
     "actions": [{"label": str, "method": "post" | "get", "url": str, "fields": {name: value}}]}
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ToolContext:
    """Who is asking and what they are looking at. `cart` is the client's context (the store
    and items of the cart on screen), `location` a city or pin the client sent, if any."""

    user: object  # accounts.models.User, signed in
    language: str
    now: datetime
    cart: dict | None = None
    location: str = ""


@dataclass
class ToolResult:
    data: dict
    cards: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict
    run: Callable[[ToolContext, dict], ToolResult]
    acts: bool = False


_TOOLS: dict[str, Tool] = {}


def tool_register(tool: Tool) -> Tool:
    _TOOLS[tool.name] = tool
    return tool


def tools_all() -> list[Tool]:
    _load()
    return list(_TOOLS.values())


def tools_schema() -> list[dict]:
    """The tools as chat.completions' `tools` parameter."""
    return [
        {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": tool.parameters,
            },
        }
        for tool in tools_all()
    ]


def tool_call(ctx: ToolContext, name: str, arguments: dict | str | None) -> ToolResult:
    """Run one tool for `ctx.user`. Unknown tools and unreadable arguments come back as an
    error result the model can read and correct, never as an exception."""
    _load()
    tool = _TOOLS.get(name)
    if tool is None:
        return ToolResult(
            data={"error": _("There is no tool called %(name)s.") % {"name": name[:60]}}
        )
    args = _arguments(arguments)
    if args is None:
        return ToolResult(data={"error": _("The arguments were not a JSON object.")})
    return tool.run(ctx, args)


def _arguments(arguments: dict | str | None) -> dict | None:
    if arguments is None or arguments == "":
        return {}
    if isinstance(arguments, dict):
        return arguments
    try:
        parsed = json.loads(arguments)
    except (TypeError, ValueError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _load() -> None:
    # Each module registers its tools on import.
    from . import (
        acting,  # noqa: F401
        reading,  # noqa: F401
    )
