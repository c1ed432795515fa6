"""Voice questions over the API, /api/v1/assistant/voice/: upload a recorded question (202, a
clip to poll; on the embedded default it is already transcribed) and poll it for its
transcript. Another shopper's clip is 404; a bad recording is 400 on `audio`; past the day's
voice seconds, 429."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coupzii.core.serializers import ApiErrorSerializer, enum_field

from ..models import VoiceStatus
from . import selectors, services

TAGS = ["assistant"]
UNAUTHORIZED = OpenApiResponse(ApiErrorSerializer, description="Not signed in.")
CLIP_ID = OpenApiParameter(
    "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The clip's id."
)


class VoiceClipSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = enum_field("VoiceStatus", VoiceStatus.choices)
    transcript = serializers.CharField(
        help_text="What was heard, for the shopper to edit before sending; empty until done."
    )
    error = serializers.CharField(help_text="Why it could not be transcribed (status failed).")


class VoiceClipUploadSerializer(serializers.Serializer):
    audio = serializers.FileField(
        help_text="A WAV recording (16-bit PCM, mono or stereo, any rate from 8 to 96 kHz) "
        "of up to 10 seconds."
    )


@extend_schema(tags=TAGS)
class VoiceClipSubmitView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Ask by voice",
        description="Stores the recording (private, deleted once transcribed) and queues its "
        "offline transcription. Poll the clip until `status` is done or failed; the "
        "transcript is for the shopper to edit, then send as a chat message.",
        request={"multipart/form-data": VoiceClipUploadSerializer},
        responses={
            202: VoiceClipSerializer,
            400: OpenApiResponse(
                ApiErrorSerializer,
                description="`invalid` (no `audio`) or `voice_clip_invalid`: not a WAV, "
                "empty, or longer than 10 seconds.",
            ),
            401: UNAUTHORIZED,
            429: OpenApiResponse(
                ApiErrorSerializer, description="`voice_daily_limit`: today's seconds are used."
            ),
        },
    )
    def post(self, request):
        parsed = VoiceClipUploadSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        voice_clip = services.voice_clip_submit(
            user=request.user, audio=parsed.validated_data["audio"]
        )
        voice_clip.refresh_from_db()  # an eager transcription finished after the commit
        return Response(VoiceClipSerializer(voice_clip).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=TAGS, parameters=[CLIP_ID])
class VoiceClipDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="A voice question being transcribed",
        responses={
            200: VoiceClipSerializer,
            401: UNAUTHORIZED,
            404: OpenApiResponse(ApiErrorSerializer, description="`not_found`: not yours."),
        },
    )
    def get(self, request, public_id):
        voice_clip = selectors.voice_clip_of(request.user, public_id)
        return Response(VoiceClipSerializer(voice_clip).data)
