"""The assistant over the API, /api/v1/assistant/: ask (one JSON answer, or server-sent events
as the answer is written), and the caller's conversations (list, read with messages, rename,
delete). Another shopper's conversation is 404 everywhere.

Thin views: parse with an input serializer, run assistant.chat.chat_reply or a service or
selector, answer with an output serializer.
"""

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, renderers, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coupzii.core.errors import DomainError
from coupzii.core.parsers import JSONParser
from coupzii.core.serializers import MONEY, ApiErrorSerializer, enum_field

from . import selectors, services
from .chat import chat_reply
from .errors import ConversationNotFound, MessageLimitReached
from .models import Conversation, Engine, Role
from .services import TITLE_MAX
from .turns import EVENT_STREAM, reply_gather, sse_response

TAGS = ["assistant"]
JSON = "application/json"
UNAUTHORIZED = OpenApiResponse(ApiErrorSerializer, description="Not signed in.")
NOT_FOUND = OpenApiResponse(
    ApiErrorSerializer, description="`conversation_not_found`: no such conversation of yours."
)
INVALID = OpenApiResponse(ApiErrorSerializer, description="`invalid`: messages by field.")
LIMIT = OpenApiResponse(
    ApiErrorSerializer,
    description="`assistant_daily_limit`: the caller sent ASSISTANT_MESSAGES_PER_DAY today.",
)
CONVERSATION_ID = OpenApiParameter(
    "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The conversation's id."
)


# --- Shapes ------------------------------------------------------------------------------------


# One server-sent event as a client reads it: its name, and the event itself as JSON text
# (whose "type" is the same name).
SSE_EVENT = {
    "type": "object",
    "properties": {
        "event": {
            "type": "string",
            "enum": ["conversation", "text", "cards", "replace", "done", "error"],
        },
        "data": {"type": "string", "description": "The event as JSON."},
    },
    "required": ["event", "data"],
}


class ChatCartItemSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    category = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text="A category's slug or name."
    )
    price = serializers.DecimalField(**MONEY, min_value=0, help_text="One item's price, ₹.")
    quantity = serializers.IntegerField(min_value=1, max_value=99, default=1)


class ChatCartSerializer(serializers.Serializer):
    store = serializers.CharField(max_length=120, help_text="The store's slug or name.")
    items = ChatCartItemSerializer(many=True, required=False, max_length=50)


class ChatContextSerializer(serializers.Serializer):
    cart = ChatCartSerializer(
        required=False, allow_null=True, help_text="The cart on the client's screen."
    )
    location = serializers.CharField(
        max_length=80, required=False, allow_blank=True, help_text="A city or PIN code."
    )


class ChatInputSerializer(serializers.Serializer):
    message = serializers.CharField(min_length=1, max_length=1000)
    conversation = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Continue this conversation; left out: a new one.",
    )
    context = ChatContextSerializer(required=False)
    stream = serializers.BooleanField(
        default=False,
        help_text="Answer as server-sent events (as does `Accept: text/event-stream`).",
    )

    def turn_context(self) -> dict:
        """chat_reply's `context`: prices stay Decimal, items default to none."""
        context = self.validated_data.get("context") or {}
        cart = context.get("cart")
        turn = {"location": context.get("location", "")}
        if cart:
            turn["cart"] = {
                "store": cart["store"],
                "items": [dict(item) for item in cart.get("items") or []],
            }
        return turn


class AssistantCardActionSerializer(serializers.Serializer):
    label = serializers.CharField()
    method = enum_field("AssistantCardMethod", [("post", "post"), ("get", "get")])
    url = serializers.CharField(help_text="The page that does the action.")
    fields = serializers.DictField(
        child=serializers.CharField(), help_text="Form fields to send (post) or query (get)."
    )


class AssistantCardSerializer(serializers.Serializer):
    """A card as the tools make it (assistant.tools): what the shopper sees of a result."""

    type = serializers.CharField(help_text="offer, coupon, listing, gift_card, cashback, ...")
    ref = serializers.CharField(required=False, help_text="A public id or slug.")
    title = serializers.CharField()
    subtitle = serializers.CharField(required=False)
    image = serializers.CharField(required=False)
    facts = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2),
        required=False,
        help_text="[label, value] pairs.",
    )
    url = serializers.CharField(required=False)
    actions = AssistantCardActionSerializer(many=True, required=False)


@extend_schema_field(AssistantCardSerializer(many=True))
class CardsField(serializers.JSONField):
    """Cards as stored and sent: the tools' dicts, unchanged."""


class ChatAnswerSerializer(serializers.Serializer):
    conversation = serializers.UUIDField()
    title = serializers.CharField(help_text="The conversation's title.")
    text = serializers.CharField(allow_blank=True)
    cards = CardsField()
    engine = enum_field("AssistantEngine", Engine.choices)
    replaced = serializers.BooleanField(
        help_text="The guard replaced the model's text (a figure or code no tool gave)."
    )


class ConversationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()
    message_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class MessageSerializer(serializers.Serializer):
    role = enum_field("AssistantRole", Role.choices)
    content = serializers.CharField(allow_blank=True)
    cards = CardsField()
    engine = serializers.CharField(allow_blank=True, help_text="Who answered; empty for yours.")
    replaced = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class ConversationDetailSerializer(ConversationSerializer):
    messages = MessageSerializer(many=True)


class ConversationRenameSerializer(serializers.Serializer):
    title = serializers.CharField(min_length=1, max_length=TITLE_MAX)


# --- Views -------------------------------------------------------------------------------------


def _newest_first(conversations):
    # The message count's GROUP BY drops Meta.ordering, and pages need a fixed order.
    return conversations.order_by("-updated_at", "-id")


class EventStreamRenderer(renderers.BaseRenderer):
    """Lets a client ask with `Accept: text/event-stream`; the stream itself is a
    StreamingHttpResponse, and refusals before it starts answer JSON (see ChatView)."""

    media_type = EVENT_STREAM
    format = "sse"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data, default=str).encode()


def _refusal(error: dict) -> DomainError:
    """A refusal event of chat_reply as the domain error it came from."""
    if error["code"] == MessageLimitReached.code:
        return MessageLimitReached(error["message"])
    refusal = DomainError(error["message"])
    refusal.code = error["code"]
    return refusal


@extend_schema(tags=TAGS)
class ChatView(APIView):
    permission_classes = [IsAuthenticated]
    # JSON only: the context is nested, which a form body can't carry.
    parser_classes = [JSONParser]
    renderer_classes = [renderers.JSONRenderer, EventStreamRenderer]

    @extend_schema(
        summary="Ask the assistant",
        description=(
            "One turn: the answer's text, the cards it found (with the pages their buttons "
            "post to) and which engine answered. With `stream: true` or `Accept: "
            "text/event-stream` the answer comes as server-sent events while it is written: "
            "`event: <type>\\ndata: <json>` for conversation, text (delta), cards, replace, "
            "done (engine) and error (code, message). Refusals before the stream starts "
            "(400, 404, 429) answer JSON."
        ),
        request=ChatInputSerializer,
        responses={
            (200, JSON): ChatAnswerSerializer,
            (200, EVENT_STREAM): OpenApiResponse(
                SSE_EVENT, description="Server-sent events, when asked for: one per event."
            ),
            (400, JSON): INVALID,
            (401, JSON): UNAUTHORIZED,
            (404, JSON): NOT_FOUND,
            (429, JSON): LIMIT,
        },
        examples=[
            OpenApiExample(
                "A cart on screen",
                request_only=True,
                value={
                    "message": "best way to pay for this cart",
                    "context": {
                        "cart": {
                            "store": "myntra",
                            "items": [
                                {
                                    "name": "Sneakers",
                                    "category": "fashion",
                                    "price": "2500.00",
                                    "quantity": 1,
                                }
                            ],
                        }
                    },
                },
            )
        ],
    )
    def post(self, request):
        parsed = ChatInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        conversation = None
        if parsed.validated_data.get("conversation"):
            conversation = selectors.conversation_of(
                request.user, parsed.validated_data["conversation"]
            )
            if conversation is None:
                raise ConversationNotFound()
        # Checked here too, so a refused stream is a 429 and not a 200 carrying an error event.
        services.message_limit_check(user=request.user)
        events = chat_reply(
            user=request.user,
            message=parsed.validated_data["message"],
            conversation=conversation,
            context=parsed.turn_context(),
        )
        if parsed.validated_data["stream"] or isinstance(
            request.accepted_renderer, EventStreamRenderer
        ):
            return sse_response(events)
        answer = reply_gather(events)
        if answer["error"] is not None:
            raise _refusal(answer["error"])
        return Response(ChatAnswerSerializer(answer).data)

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON in the one error shape, whatever the client accepts.
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), EventStreamRenderer
        ):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = JSON
        return super().finalize_response(request, response, *args, **kwargs)


@extend_schema(tags=TAGS)
class ConversationListView(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ConversationSerializer
    queryset = Conversation.objects.none()  # for the schema generator; requests use selectors

    @extend_schema(
        summary="My conversations",
        description="Newest activity first. Conversations untouched for 90 days are removed.",
        responses={200: ConversationSerializer(many=True), 401: UNAUTHORIZED},
    )
    def get(self, request):
        page = self.paginate_queryset(_newest_first(selectors.conversations_of(request.user)))
        return self.get_paginated_response(ConversationSerializer(page, many=True).data)


def _conversation(request, public_id) -> Conversation:
    conversation = selectors.conversations_of(request.user).filter(public_id=public_id).first()
    if conversation is None:
        raise ConversationNotFound()
    return conversation


@extend_schema(tags=TAGS, parameters=[CONVERSATION_ID])
class ConversationView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="One conversation of mine, with its messages",
        responses={200: ConversationDetailSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    def get(self, request, public_id):
        conversation = _conversation(request, public_id)
        data = ConversationSerializer(conversation).data
        data["messages"] = MessageSerializer(selectors.messages_of(conversation), many=True).data
        return Response(data)

    @extend_schema(
        summary="Rename a conversation",
        request=ConversationRenameSerializer,
        responses={200: ConversationSerializer, 400: INVALID, 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    def patch(self, request, public_id):
        parsed = ConversationRenameSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        services.conversation_rename(
            user=request.user, public_id=public_id, title=parsed.validated_data["title"]
        )
        return Response(ConversationSerializer(_conversation(request, public_id)).data)

    @extend_schema(
        summary="Delete a conversation",
        description="Its messages go with it.",
        responses={204: None, 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    def delete(self, request, public_id):
        services.conversation_delete(user=request.user, public_id=public_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
