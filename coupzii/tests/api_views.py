"""Small API views for exercising the project's DRF plumbing (errors, pagination) in tests."""

from django.http import Http404
from django.urls import path
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts.models import User
from coupzii.core.errors import Conflict


class TransferIn(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=1)
    upi_id = serializers.RegexField(r"^[\w.-]+@[\w]+$")


@api_view(["POST"])
@permission_classes([AllowAny])
def transfer(request):
    TransferIn(data=request.data).is_valid(raise_exception=True)
    raise Conflict("Withdrawal already in progress.", fields={"amount": ["Already requested."]})


@api_view(["GET"])
@permission_classes([AllowAny])
def missing(request):
    raise Http404("no such thing")


@api_view(["GET"])
@permission_classes([IsAuthenticated])
def private(request):
    return Response({"ok": True})


class EmailSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["email"]


class UserList(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = EmailSerializer
    queryset = User.objects.order_by("id")


urlpatterns = [
    path("transfer/", transfer),
    path("missing/", missing),
    path("private/", private),
    path("users/", UserList.as_view()),
]
