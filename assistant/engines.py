"""Which engine answers: the language model when OPENAI_API_KEY is set, else the offline engine.

An engine is any object with `name` (a models.Engine value) and
`reply(*, ctx, history, message) -> Iterator[dict]`, yielding

    {"type": "text", "delta": "..."}                  words of the answer, as written
    {"type": "tool", "name": ..., "arguments": {...}, "result": ToolResult}
                                                      a tool it called (through tools.tool_call)

The language-model engine raises errors.EngineUnavailable when the endpoint fails or is slower
than ASSISTANT_LLM_TIMEOUT; chat.chat_reply then asks the offline engine instead.
"""

from django.conf import settings


def engine_for():
    if settings.OPENAI_API_KEY:
        from .llm import OpenAIEngine

        return OpenAIEngine()
    return offline_engine()


def offline_engine():
    from .offline import OfflineEngine

    return OfflineEngine()
