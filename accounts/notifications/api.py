"""The notifications API: the caller's list, unread count, and marking them read."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Notification
from . import selectors, services
from .kinds import notification_kind_choices

TAGS = ["notifications"]


class NotificationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    # Its choices are the kinds registered when the serializer is made (apps register theirs
    # in ready()), so the schema lists every kind without accounts naming them.
    kind = serializers.ChoiceField(choices=[], read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "read_at", "created_at"]
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        kinds = notification_kind_choices()
        fields["kind"].choices = [code for code, _label in kinds]
        fields["kind"].help_text = "; ".join(f"{code}: {label}" for code, label in kinds)
        return fields


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at",
        lookup_expr="isnull",
        label="true: only unread notifications; false: only read ones.",
    )

    class Meta:
        model = Notification
        fields = ["unread"]


ErrorSerializer = inline_serializer(
    "NotificationError",
    {
        "error": inline_serializer(
            "NotificationErrorBody",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(),
            },
        )
    },
)
MarkedSerializer = inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()})
UnreadSerializer = inline_serializer("NotificationsUnread", {"unread": serializers.IntegerField()})


@extend_schema(
    tags=TAGS,
    summary="List my notifications",
    description="Newest first, paginated. `?unread=true` lists only the unread ones.",
)
class NotificationListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    # For the schema generator, which has no user; requests go through get_queryset.
    queryset = Notification.objects.none()

    def get_queryset(self):
        return selectors.notifications_for(self.request.user)


@extend_schema(
    tags=TAGS,
    summary="Mark one notification read",
    description="Marking it again changes nothing. Another user's notification answers 404.",
    parameters=[
        OpenApiParameter(
            "public_id",
            OpenApiTypes.UUID,
            OpenApiParameter.PATH,
            description="The notification's id.",
        )
    ],
    request=None,
    responses={
        200: NotificationSerializer,
        404: OpenApiResponse(ErrorSerializer, description="No such notification of yours."),
    },
)
class NotificationReadView(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer

    def post(self, request, public_id: str):
        notification = services.notification_mark_read(user=request.user, public_id=public_id)
        return Response(NotificationSerializer(notification).data)


@extend_schema(
    tags=TAGS,
    summary="Mark all my notifications read",
    request=None,
    responses={200: MarkedSerializer},
)
class NotificationReadAllView(APIView):
    # An APIView, not a generic one: it takes no body, so it has no serializer for OPTIONS
    # to describe (a GenericAPIView without one answered OPTIONS with a 500).
    permission_classes = [IsAuthenticated]

    def post(self, request):
        marked = services.notifications_mark_all_read(user=request.user)
        return Response({"marked": marked}, status=status.HTTP_200_OK)


@extend_schema(
    tags=TAGS,
    summary="How many of my notifications are unread",
    responses={200: UnreadSerializer},
)
class UnreadCountView(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"unread": selectors.unread_count(request.user)})
