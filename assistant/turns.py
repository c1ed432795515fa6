"""A chat turn's events (assistant.chat.chat_reply) as the web takes them: server-sent events
for the page's script and API clients that stream, or gathered into one answer for the plain
form post and the API's JSON.

On the wire each event is `event: <type>\\ndata: <json>\\n\\n`; the JSON is the event itself.
"""

import json
import logging
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

EVENT_STREAM = "text/event-stream"

logger = logging.getLogger(__name__)


def sse_event(event: dict) -> bytes:
    # Plain text or card fields may hold newlines; JSON escapes them, so one data line suffices.
    data = json.dumps(event, ensure_ascii=False, default=str)
    return f"event: {event['type']}\ndata: {data}\n\n".encode()


def sse_response(events: Iterable[dict]) -> StreamingHttpResponse:
    """Stream `events`. The turn runs while the response is sent, after the view returned,
    so the request's language is carried into it explicitly."""
    language = translation.get_language()

    def body() -> Iterator[bytes]:
        with translation.override(language):
            try:
                for event in events:
                    yield sse_event(event)
            except Exception:
                # The status line has gone out already: the client learns of the failure as
                # an event, and the error is logged here (Django's handler no longer sees it).
                logger.exception("assistant: the answer's stream failed")
                yield sse_event(
                    {
                        "type": "error",
                        "code": "server_error",
                        "message": _("Something went wrong while answering. Please ask again."),
                    }
                )
            finally:
                # The client went away (or the answer ended): close the turn now, so it stores
                # what was shown, without waiting for the garbage collector.
                close = getattr(events, "close", None)
                if close is not None:
                    close()

    response = StreamingHttpResponse(body(), content_type=f"{EVENT_STREAM}; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    # nginx would otherwise hold the answer back until its buffer fills.
    response["X-Accel-Buffering"] = "no"
    return response


def sse_parse(payload: bytes | str) -> list[dict]:
    """The events of an SSE body, in order (what a client does; used by tests and tools)."""
    text = payload.decode() if isinstance(payload, bytes) else payload
    events = []
    for block in text.split("\n\n"):
        data = [line[5:].lstrip() for line in block.splitlines() if line.startswith("data:")]
        if data:
            events.append(json.loads("\n".join(data)))
    return events


def reply_gather(events: Iterable[dict]) -> dict:
    """Run a turn to its end and keep what the shopper would have seen:
    {"conversation", "title", "text", "cards", "engine", "replaced", "error"} where `error` is
    the refusal event ({"code", "message"}) or None."""
    answer = {
        "conversation": None,
        "title": "",
        "text": "",
        "cards": [],
        "engine": "",
        "replaced": False,
        "error": None,
    }
    parts: list[str] = []
    for event in events:
        kind = event["type"]
        if kind == "conversation":
            answer["conversation"] = event["id"]
            answer["title"] = event.get("title", "")
        elif kind == "text":
            parts.append(event["delta"])
        elif kind == "cards":
            answer["cards"].extend(event["cards"])
        elif kind == "replace":
            parts = [event["text"]]
            if event["text"]:
                answer["replaced"] = True  # the guard's: the cards stay, the text goes
            else:
                # The model failed part way: its words and cards give way to the offline
                # engine's answer, which follows.
                answer["cards"] = []
        elif kind == "done":
            answer["engine"] = event["engine"]
        elif kind == "error":
            answer["error"] = {"code": event["code"], "message": event["message"]}
    answer["text"] = "".join(parts).strip()
    return answer
