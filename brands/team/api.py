"""The team over the API: my brands, and one brand's members, invitations and departments."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coupzii.core.serializers import ApiErrorSerializer, enum_field

from .. import access
from ..models import BrandStatus, Department, DepartmentAccess, Invitation, Membership, Role, Tier
from ..portal import BrandPermission, brand_header_parameter
from . import errors, selectors, services

TAGS = ["brand team"]
ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="`invalid`, `last_owner`."),
    403: OpenApiResponse(
        ApiErrorSerializer,
        description="`permission_denied`, `owners_only` (admins cannot touch owners and admins).",
    ),
    404: OpenApiResponse(
        ApiErrorSerializer, description="Not a member of that brand, or no such object in it."
    ),
    409: OpenApiResponse(
        ApiErrorSerializer,
        description="`already_member`, `already_invited`, `department_name_taken`.",
    ),
}


def _id_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=f"The {what}'s id."
    )


# --- Shapes --------------------------------------------------------------------------------------


class DepartmentRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)


class MyBrandSerializer(serializers.Serializer):
    slug = serializers.CharField(source="brand.slug")
    name = serializers.CharField(source="brand.name")
    status = enum_field("BrandStatus", BrandStatus.choices, source="brand.status")
    tier = enum_field("BrandTier", Tier.choices, source="brand.tier")
    role = enum_field("BrandRole", Role.choices)
    department = DepartmentRefSerializer(allow_null=True)


class MemberSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    role = enum_field("BrandRole", Role.choices, read_only=True)
    department = DepartmentRefSerializer(allow_null=True, read_only=True)
    two_factor = serializers.BooleanField(
        source="has_two_factor",
        read_only=True,
        help_text="Whether they sign in with a second factor.",
    )
    joined_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "department", "two_factor", "joined_at"]


class InvitationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    role = enum_field("BrandRole", Role.choices, read_only=True)
    department = DepartmentRefSerializer(allow_null=True, read_only=True)
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "department", "invited_by", "created_at", "expires_at"]


class DepartmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    access = enum_field("DepartmentAccess", DepartmentAccess.choices, read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "access"]


class _DepartmentField(serializers.UUIDField):
    """A department of the request's brand by id; null for none."""

    def to_internal_value(self, data):
        public_id = super().to_internal_value(data)
        department = selectors.team_department(brand=self.context["brand"], public_id=public_id)
        if department is None:
            raise serializers.ValidationError(errors.DepartmentNotFound.default_message)
        return department


class MemberChangeSerializer(serializers.Serializer):
    role = enum_field("BrandRole", Role.choices, required=False)
    department = _DepartmentField(
        required=False, allow_null=True, help_text="A department's id, or null for none."
    )


class InviteSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = enum_field("BrandRole", Role.choices)
    department = _DepartmentField(required=False, allow_null=True, default=None)


class DepartmentInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    access = enum_field("DepartmentAccess", DepartmentAccess.choices, default=DepartmentAccess.ALL)


# --- Views ---------------------------------------------------------------------------------------


@extend_schema(tags=TAGS, summary="My brands and my role in each")
class MyBrandsView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = MyBrandSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator, signed out
            return Membership.objects.none()
        return selectors.my_memberships(user=self.request.user)


class _TeamView:
    permission_classes = [IsAuthenticated, BrandPermission]
    brand_permission = access.MANAGE_TEAM

    def _context(self):
        return {"brand": self.request.brand, "request": self.request}


class MembersView(_TeamView, generics.GenericAPIView):
    serializer_class = MemberSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return selectors.team_members(brand=self.request.brand)

    @extend_schema(
        tags=TAGS,
        summary="The brand's members",
        parameters=[brand_header_parameter],
        responses={200: MemberSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MemberSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Add a person (by invitation)",
        description=(
            "A person joins a brand only by accepting an invitation: this sends one, as "
            "`POST invitations/` does."
        ),
        parameters=[brand_header_parameter],
        request=InviteSerializer,
        responses={201: InvitationSerializer, **ERRORS},
    )
    def post(self, request):
        return _invite(request, self._context())


def _invite(request, context) -> Response:
    data = _valid(InviteSerializer, request.data, context)
    invitation = services.invitation_send(actor=request.membership, **data)
    return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


def _valid(serializer_class, data, context, **kwargs) -> dict:
    serializer = serializer_class(data=data, context=context, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class MemberView(_TeamView, APIView):
    def _member(self, public_id):
        member = selectors.team_member(brand=self.request.brand, public_id=public_id)
        if member is None:
            raise Http404
        return member

    @extend_schema(
        tags=TAGS,
        summary="Change a member's role or department",
        parameters=[brand_header_parameter, _id_parameter("member")],
        request=MemberChangeSerializer,
        responses={200: MemberSerializer, **ERRORS},
    )
    def patch(self, request, public_id):
        member = self._member(public_id)
        data = _valid(MemberChangeSerializer, request.data, self._context(), partial=True)
        services.member_update(actor=request.membership, member=member, **data)
        return Response(MemberSerializer(self._member(public_id)).data)

    @extend_schema(
        tags=TAGS,
        summary="Remove a member (yourself: leave the brand)",
        parameters=[brand_header_parameter, _id_parameter("member")],
        request=None,
        responses={204: None, **ERRORS},
    )
    def delete(self, request, public_id):
        member = self._member(public_id)
        services.member_remove(actor=request.membership, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationsView(_TeamView, generics.GenericAPIView):
    serializer_class = InvitationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return selectors.team_invitations_pending(brand=self.request.brand)

    @extend_schema(
        tags=TAGS,
        summary="Invitations waiting for an answer",
        parameters=[brand_header_parameter],
        responses={200: InvitationSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InvitationSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Invite someone by email",
        description=(
            "Emails a link that works for 7 days. Only owners may invite owners and admins."
        ),
        parameters=[brand_header_parameter],
        request=InviteSerializer,
        responses={201: InvitationSerializer, **ERRORS},
    )
    def post(self, request):
        return _invite(request, self._context())


class InvitationView(_TeamView, APIView):
    @extend_schema(
        tags=TAGS,
        summary="Withdraw an invitation",
        parameters=[brand_header_parameter, _id_parameter("invitation")],
        request=None,
        responses={204: None, **ERRORS},
    )
    def delete(self, request, public_id):
        invitation = selectors.team_invitation(brand=request.brand, public_id=public_id)
        if invitation is None:
            raise Http404
        services.invitation_revoke(actor=request.membership, invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DepartmentsView(_TeamView, generics.GenericAPIView):
    serializer_class = DepartmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Department.objects.none()
        return selectors.team_departments(brand=self.request.brand)

    @extend_schema(
        tags=TAGS,
        summary="The brand's departments",
        parameters=[brand_header_parameter],
        responses={200: DepartmentSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DepartmentSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Add a department",
        parameters=[brand_header_parameter],
        request=DepartmentInputSerializer,
        responses={201: DepartmentSerializer, **ERRORS},
    )
    def post(self, request):
        data = _valid(DepartmentInputSerializer, request.data, self._context())
        department = services.department_create(
            brand=request.brand, name=data["name"], access_level=data["access"]
        )
        return Response(DepartmentSerializer(department).data, status=status.HTTP_201_CREATED)


class DepartmentView(_TeamView, APIView):
    def _department(self, public_id):
        department = selectors.team_department(brand=self.request.brand, public_id=public_id)
        if department is None:
            raise Http404
        return department

    @extend_schema(
        tags=TAGS,
        summary="Rename a department or change what it sees",
        parameters=[brand_header_parameter, _id_parameter("department")],
        request=DepartmentInputSerializer,
        responses={200: DepartmentSerializer, **ERRORS},
    )
    def patch(self, request, public_id):
        department = self._department(public_id)
        data = _valid(DepartmentInputSerializer, request.data, self._context(), partial=True)
        department = services.department_update(
            department=department,
            name=data.get("name", department.name),
            access_level=data.get("access", department.access),
        )
        return Response(DepartmentSerializer(department).data)

    @extend_schema(
        tags=TAGS,
        summary="Delete a department without members (its offers stay, in no department)",
        parameters=[brand_header_parameter, _id_parameter("department")],
        request=None,
        responses={204: None, **ERRORS},
    )
    def delete(self, request, public_id):
        services.department_delete(department=self._department(public_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
