"""Shared scene for the tool tests: two shoppers, a way to call a tool as one of them, and a
check that no secret string reached what the model or the shopper sees."""

import json

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from assistant.tools import ToolContext, ToolResult, tool_call


@pytest.fixture
def asha(db):
    return UserFactory(full_name="Asha Verma", email="asha@example.in")


@pytest.fixture
def ravi(db):
    return UserFactory(full_name="Ravi Kumar", email="ravi@example.in", phone="+919800000001")


def run(user, name: str, arguments=None, *, language: str = "en", cart=None) -> ToolResult:
    """Call a tool the way both engines do: through tool_call, as `user` (with the cart on
    their screen, if any)."""
    ctx = ToolContext(user=user, language=language, now=timezone.now(), cart=cart)
    return tool_call(ctx, name, arguments or {})


def shown(result: ToolResult) -> str:
    """Everything a result puts in front of the model and the shopper, as one string."""
    return json.dumps({"data": result.data, "cards": result.cards}, ensure_ascii=False)


def assert_none_shown(result: ToolResult, *secrets: str) -> None:
    text = shown(result)
    for secret in secrets:
        assert secret and secret not in text, f"{secret!r} reached the tool's result"
