"""A loopback HTTP server that speaks OpenAI's chat.completions, so tests run the official SDK
(through assistant.llm.OpenAIEngine) over real HTTP, streamed or not, with a model whose every
answer the test writes.

    with LoopbackOpenAI() as model, override_settings(**model.settings()):
        model.script(
            tool_reply(call("search_offers", {"query": "zara"})),   # round 1: a tool call
            text_reply("Here are ", "ZARA's offers."),               # round 2: the answer
        )
        events = list(chat_reply(user=asha, message="zara coupons"))
        model.requests[1].tool_messages()   # what the tools told the model

What it serves: POST /v1/chat/completions, with `Authorization: Bearer <key>` (else 401 in
OpenAI's error shape). Each request takes the next scripted `Reply` (or, when the script is
used up, whatever `responder(body)` returns; with neither, a 500). A `stream: true` request
gets server-sent events (`data: {chat.completion.chunk}` lines, then `data: [DONE]`) in a
chunked HTTP/1.1 body; any other gets one chat.completion JSON assembled from the same reply.

A reply can carry text in pieces (each piece its own chunk), tool calls whose JSON arguments
arrive in several fragments (parallel calls at indexes 0, 1, ... or, as some servers do, all at
index 0 told apart only by their ids), an HTTP error, a delay before the answer starts
(`delay`), a delay between chunks (`chunk_delay`), or raw bytes instead of a stream
(`raw`, for unreadable streams). `requests` logs every request's JSON body.

For a separately started site (a browser watching an answer stream in):
`python -m assistant.tests.openai_loopback --port 8767 --say "Here is what I found." --delay 0.2`
prints the environment variables that point the site here, then answers every request with
those words, one chunk a word.
"""

import argparse
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from coupzii.tests.loopback import LoopbackServer

API_KEY = "test"
MODEL = "loopback-model"
COMPLETIONS = "/v1/chat/completions"


@dataclass
class ScriptedCall:
    """One tool call the fake model makes. `arguments` is sent as JSON unless it is a string
    (sent as is, for malformed arguments)."""

    name: str
    arguments: dict | str = field(default_factory=dict)
    id: str = ""

    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments, ensure_ascii=False)


def call(name: str, arguments: dict | str | None = None, *, id: str = "") -> ScriptedCall:
    return ScriptedCall(name=name, arguments={} if arguments is None else arguments, id=id)


@dataclass
class Reply:
    """What the fake model answers to one request."""

    pieces: list[str] = field(default_factory=list)
    calls: list[ScriptedCall] = field(default_factory=list)
    # How many fragments each call's arguments are cut into.
    fragments: int = 3
    # Every call at index 0, told apart only by its id (Ollama and some proxies do this).
    reuse_index_zero: bool = False
    # What id the argument fragments after a call's first piece carry: "none" (OpenAI),
    # "same" (the call's id again) or "fresh" (a new id on every piece, as some servers do).
    fragment_ids: str = "none"
    finish_reason: str | None = None
    status: int = 200
    error_message: str = ""
    delay: float = 0.0
    chunk_delay: float = 0.0
    # SSE comments (": keepalive") sent `chunk_delay` apart before the answer, as gateways
    # such as OpenRouter do while a model thinks; the SDK reads past them.
    keepalives: int = 0
    raw: bytes | None = None

    def finish(self) -> str:
        if self.finish_reason:
            return self.finish_reason
        return "tool_calls" if self.calls else "stop"


def text_reply(*pieces: str, **options) -> Reply:
    """An answer in words, each piece streamed as its own chunk."""
    return Reply(pieces=list(pieces), **options)


def tool_reply(*calls: ScriptedCall, text: str = "", **options) -> Reply:
    """Tool calls (in parallel when several), optionally after some words."""
    return Reply(pieces=[text] if text else [], calls=list(calls), **options)


def error_reply(status: int = 500, message: str = "The server had an error.") -> Reply:
    return Reply(status=status, error_message=message)


def raw_reply(raw: bytes) -> Reply:
    """A 200 event stream whose body is `raw` as is (for garbage and cut-off streams)."""
    return Reply(raw=raw)


@dataclass
class LoggedRequest:
    path: str
    authorization: str
    body: dict | None

    @property
    def messages(self) -> list[dict]:
        return list((self.body or {}).get("messages") or [])

    @property
    def tool_names(self) -> list[str]:
        return [tool["function"]["name"] for tool in (self.body or {}).get("tools") or []]

    def tool_messages(self) -> list[dict]:
        """The tool results the model was sent, each parsed back from its JSON content."""
        return [
            {"tool_call_id": message.get("tool_call_id"), "data": json.loads(message["content"])}
            for message in self.messages
            if message.get("role") == "tool"
        ]


class LoopbackOpenAI(LoopbackServer):
    """chat.completions on a 127.0.0.1 port. Use as a context manager, or start()/stop()."""

    thread_name = "loopback-openai"

    @property
    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _Handler

    def __init__(
        self,
        *,
        api_key: str = API_KEY,
        responder: Callable[[dict], Reply] | None = None,
    ):
        self.api_key = api_key
        self.responder = responder
        self.requests: list[LoggedRequest] = []
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._next_id = 0

    def settings(self, **overrides) -> dict:
        """Django settings that point assistant.llm.OpenAIEngine here, for override_settings
        or pytest-django's `settings` fixture."""
        return {
            "OPENAI_API_KEY": self.api_key,
            "OPENAI_BASE_URL": self.url + "/v1",
            "OPENAI_MODEL": MODEL,
            **overrides,
        }

    def script(self, *replies: Reply) -> None:
        """Queue answers for the next requests, in order."""
        with self._lock:
            self._script.extend(replies)

    @property
    def unanswered(self) -> int:
        """Scripted replies no request has taken yet."""
        with self._lock:
            return len(self._script)

    def bodies_text(self) -> str:
        """Every request body as one JSON text (to check what never reached the model)."""
        return json.dumps([entry.body for entry in self.requests], ensure_ascii=False)

    def stop(self) -> None:
        # Wakes handlers still sleeping out a delay, so a slow reply does not outlive its test.
        self._stopping.set()
        super().stop()

    def _wait(self, seconds: float) -> bool:
        """Sleeps; False when the server is stopping."""
        return not self._stopping.wait(seconds) if seconds > 0 else True

    def _take(self, body: dict) -> Reply:
        with self._lock:
            if self._script:
                return self._script.pop(0)
        if self.responder is not None:
            return self.responder(body)
        return error_reply(500, "The loopback model has no scripted reply for this request.")

    def _new_id(self, prefix: str) -> str:
        with self._lock:
            self._next_id += 1
            return f"{prefix}{self._next_id:06d}"


# --- the wire format ---------------------------------------------------------------------------


def _error_body(status: int, message: str) -> dict:
    kind = {401: "invalid_request_error", 429: "rate_limit_error"}.get(status, "server_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _call_ids(loopback: LoopbackOpenAI, reply: Reply) -> list[str]:
    return [scripted.id or loopback._new_id("call_") for scripted in reply.calls]


def _fragments(text: str, count: int) -> list[str]:
    """`text` cut into `count` pieces of about equal length (fewer when it is short)."""
    if not text:
        return [""]
    size = max(1, -(-len(text) // max(1, count)))
    return [text[start : start + size] for start in range(0, len(text), size)]


def _stream_deltas(reply: Reply, ids: list[str]) -> list[dict]:
    """The `choices[0].delta` of each chunk, and the last chunk's finish reason, in order."""
    deltas = [{"role": "assistant", "content": ""}]
    deltas += [{"content": piece} for piece in reply.pieces]
    for position, (scripted, call_id) in enumerate(zip(reply.calls, ids, strict=True)):
        index = 0 if reply.reuse_index_zero else position
        head = {
            "index": index,
            "id": call_id,
            "type": "function",
            "function": {"name": scripted.name, "arguments": ""},
        }
        deltas.append({"tool_calls": [head]})
        for number, piece in enumerate(_fragments(scripted.arguments_json(), reply.fragments)):
            fragment = {"index": index, "function": {"arguments": piece}}
            if reply.fragment_ids == "same":
                fragment["id"] = call_id
            elif reply.fragment_ids == "fresh":
                fragment["id"] = f"{call_id}_{number}"
            deltas.append({"tool_calls": [fragment]})
    return deltas


def _chunk(completion_id: str, delta: dict, finish_reason: str | None) -> dict:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "system_fingerprint": "fp_loopback",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
    }


def _completion(completion_id: str, reply: Reply, ids: list[str]) -> dict:
    message = {"role": "assistant", "content": "".join(reply.pieces) or None, "refusal": None}
    if reply.calls:
        message["tool_calls"] = [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": scripted.name, "arguments": scripted.arguments_json()},
            }
            for scripted, call_id in zip(reply.calls, ids, strict=True)
        ]
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": reply.finish()}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    @property
    def loopback(self) -> LoopbackOpenAI:
        return self.server.loopback

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        loopback = self.loopback
        authorization = self.headers.get("Authorization", "")
        loopback.requests.append(LoggedRequest(self.path, authorization, body))
        try:
            self._answer(loopback, body, authorization)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (its timeout): nothing left to answer.
            self.close_connection = True

    def _answer(self, loopback: LoopbackOpenAI, body: dict | None, authorization: str) -> None:
        if self.path != COMPLETIONS:
            self._send_json(404, _error_body(404, f"Unknown path {self.path}"))
            return
        if authorization != f"Bearer {loopback.api_key}":
            self._send_json(401, _error_body(401, "Incorrect API key provided."))
            return
        if not isinstance(body, dict) or not body.get("messages"):
            self._send_json(400, _error_body(400, "'messages' is a required property"))
            return
        reply = loopback._take(body)
        if not loopback._wait(reply.delay):
            self.close_connection = True
            return
        if reply.status != 200:
            self._send_json(reply.status, _error_body(reply.status, reply.error_message))
            return
        completion_id = loopback._new_id("chatcmpl-")
        ids = _call_ids(loopback, reply)
        if not body.get("stream"):
            self._send_json(200, _completion(completion_id, reply, ids))
            return
        self._start_stream()
        if reply.raw is not None:
            self._write_chunk(reply.raw)
        else:
            self._stream(loopback, completion_id, reply, ids)
        self._end_stream()

    def _stream(self, loopback: LoopbackOpenAI, completion_id: str, reply: Reply, ids) -> None:
        for _ in range(reply.keepalives):
            self._write_chunk(b": keepalive\n\n")
            if not loopback._wait(reply.chunk_delay):
                return
        for delta in _stream_deltas(reply, ids):
            self._write_event(_chunk(completion_id, delta, None))
            if not loopback._wait(reply.chunk_delay):
                return
        self._write_event(_chunk(completion_id, {}, reply.finish()))
        self._write_chunk(b"data: [DONE]\n\n")

    def _send_json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _write_event(self, payload: dict) -> None:
        line = "data: " + json.dumps(payload, ensure_ascii=False) + "\n\n"
        self._write_chunk(line.encode())

    def _write_chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def main() -> None:
    """Serve on a fixed port until interrupted."""
    parser = argparse.ArgumentParser(description="A loopback chat.completions model.")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--say", default="Here is what I found.")
    parser.add_argument("--delay", type=float, default=0.2, help="seconds between words")
    options = parser.parse_args()
    words = re.split(r"(?<= )", options.say)
    loopback = LoopbackOpenAI(responder=lambda body: text_reply(*words, chunk_delay=options.delay))
    loopback._server = ThreadingHTTPServer(("127.0.0.1", options.port), _Handler)
    loopback._server.daemon_threads = True
    loopback._server.loopback = loopback
    for name, value in loopback.settings().items():
        print(f"{name}={value}", flush=True)
    try:
        loopback._server.serve_forever()
    except KeyboardInterrupt:
        loopback._server.server_close()


if __name__ == "__main__":
    main()
