"""The catalog API (read-only, open to everyone): the category tree and the merchant list.

A merchant's detail (with its live offers) and search live in offers.api, because they
show offers and catalog sits below offers; offers/api_urls.py routes them.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from coupzii.core.serializers import BAD_QUERY, parse_query

from . import selectors
from .models import Category, Merchant
from .serializers import (
    CategoryTreeSerializer,
    MerchantCardSerializer,
    MerchantListInputSerializer,
)

TAGS = ["catalog"]


@extend_schema(
    tags=TAGS,
    summary="Category tree",
    description="Active top-level categories in display order, each with its active children. "
    "The whole tree in one answer (it is small), not paginated.",
    responses={200: CategoryTreeSerializer(many=True)},
)
class CategoryTreeView(generics.GenericAPIView):
    permission_classes = [AllowAny]
    serializer_class = CategoryTreeSerializer
    queryset = Category.objects.none()  # for the schema generator
    pagination_class = None

    def get(self, request):
        categories = selectors.categories_active()
        return Response(CategoryTreeSerializer(categories, many=True).data)


@extend_schema(
    tags=TAGS,
    summary="List merchants",
    description="Active merchants A-Z with their live offer count, paginated. Filter by name "
    "(`q`), category slug (a top-level category includes its children) and `featured`.",
    parameters=[MerchantListInputSerializer],
    responses={200: MerchantCardSerializer(many=True), 400: BAD_QUERY},
)
class MerchantListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = MerchantCardSerializer
    # For the schema generator; requests go through get_queryset.
    queryset = Merchant.objects.none()

    def get_queryset(self):
        filters = parse_query(MerchantListInputSerializer, self.request)
        return selectors.merchants_list(
            q=filters["q"], category_slug=filters["category"], featured=filters["featured"]
        )
