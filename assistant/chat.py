"""One turn of a conversation, as a stream of events for the page, the API and the plain form.

    {"type": "conversation", "id": "<public id>", "title": "..."}
    {"type": "text", "delta": "..."}          the answer as it is written, each word once the
                                              text up to it is grounded (safety.StreamGuard)
    {"type": "cards", "cards": [...]}         cards from a tool result, as they arrive
    {"type": "replace", "text": "..."}        the guard replaced the answer (a figure or code
                                              no tool result contains): show this instead
    {"type": "done", "engine": "offline" | "openai"}
    {"type": "error", "code": "...", "message": "..."}  refused before anything was written

The shopper's message is stored before the engine runs and the answer once it ends, so a
dropped connection keeps the question; a shopper who leaves mid-answer (the stream closed)
leaves behind what they were shown, its cards and the tool calls made. The answer's text is
checked by safety.answer_problems against every tool result of this turn.
"""

from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coupzii.core.errors import DomainError

from . import engines, safety, services
from .errors import EngineUnavailable
from .models import Conversation
from .selectors import history_for_engine
from .tools import ToolContext, ToolResult


def chat_reply(
    *,
    user,
    message: str,
    conversation: Conversation | None = None,
    context: dict | None = None,
    engine=None,
) -> Iterator[dict]:
    """Answer `message` for `user` in `conversation` (a new one when None), with `engine`
    (engines.py) or, when None, the one the settings choose."""
    message = " ".join(message.split())[: settings.ASSISTANT_MESSAGE_MAX_CHARS]
    history = history_for_engine(conversation) if conversation is not None else []
    try:
        question = services.turn_start(user=user, conversation=conversation, question=message)
    except DomainError as exc:
        yield {"type": "error", "code": exc.code, "message": str(exc.message)}
        return
    conversation = question.conversation
    yield {"type": "conversation", "id": str(conversation.public_id), "title": conversation.title}
    ctx = ToolContext(
        user=user,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        now=timezone.now(),
        cart=(context or {}).get("cart"),
        location=str((context or {}).get("location") or "")[:80],
    )
    turn = _Turn()
    try:
        engine = engine or engines.engine_for()
        yield from _run(engine, turn, ctx=ctx, history=history, message=message)
    except GeneratorExit:
        # The shopper went away mid-answer (the page closed, the connection dropped): keep
        # what they were shown and the tools that ran, so the conversation reads as it did
        # and the calls stay on record.
        if turn.shown or turn.cards or turn.tool_calls:
            _store(turn, conversation, text="".join(turn.shown).strip(), replaced=False)
        raise
    yield from _finish(turn, conversation)


class _Turn:
    """What one turn produced so far."""

    def __init__(self):
        self.text: list[str] = []
        self.shown: list[str] = []  # what the guard let through to the shopper
        self.cards: list[dict] = []
        self.tool_calls: list[dict] = []
        self.engine = ""
        # Words reach the shopper only once the text up to them is grounded in this turn's
        # tool results: a code or figure the model invents is never streamed, only replaced.
        self.guard = safety.StreamGuard()

    def results(self) -> list[dict]:
        return [call["result"] for call in self.tool_calls]

    def reset(self) -> None:
        self.__init__()


def _run(engine, turn: _Turn, *, ctx, history, message) -> Iterator[dict]:
    turn.engine = engine.name
    try:
        for event in engine.reply(ctx=ctx, history=history, message=message):
            yield from _forward(event, turn)
    except EngineUnavailable:
        shown = bool(turn.text or turn.cards)
        turn.reset()
        fallback = engines.offline_engine()
        if shown:
            # The model had started; its words are dropped for the offline engine's answer.
            yield {"type": "replace", "text": ""}
        yield from _run(fallback, turn, ctx=ctx, history=history, message=message)


def _forward(event: dict, turn: _Turn) -> Iterator[dict]:
    if event["type"] == "text":
        turn.text.append(event["delta"])
        piece = turn.guard.feed(event["delta"], turn.results())
        if piece:
            turn.shown.append(piece)
            yield {"type": "text", "delta": piece}
    elif event["type"] == "tool":
        result: ToolResult = event["result"]
        turn.tool_calls.append(
            {
                "name": event["name"],
                "arguments": event.get("arguments") or {},
                "result": result.data,
            }
        )
        if result.cards:
            turn.cards.extend(result.cards)
            yield {"type": "cards", "cards": result.cards}


def _finish(turn: _Turn, conversation: Conversation) -> Iterator[dict]:
    text = "".join(turn.text).strip()
    rest = turn.guard.finish(turn.results())
    replaced = turn.guard.stopped or bool(safety.answer_problems(text, turn.results()))
    if replaced:
        text = _cards_only_text(turn.cards)
    # Stored before the last events go out, so a shopper leaving now still finds the answer.
    _store(turn, conversation, text=text, replaced=replaced)
    if replaced:
        yield {"type": "replace", "text": text}
    elif rest:
        yield {"type": "text", "delta": rest}
    yield {"type": "done", "engine": turn.engine}


def _store(turn: _Turn, conversation: Conversation, *, text: str, replaced: bool) -> None:
    services.message_add_assistant(
        conversation=conversation,
        content=text,
        cards=turn.cards,
        tool_calls=turn.tool_calls,
        engine=turn.engine,
        replaced=replaced,
    )


def _cards_only_text(cards: list[dict]) -> str:
    if cards:
        return _("Here is what I found. The figures are on the cards.")
    return _(
        "I could not check that answer against your account, so I won't show it. "
        "Try asking in other words."
    )
