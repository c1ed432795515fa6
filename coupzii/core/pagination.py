"""API pagination: `?page=` and `?page_size=`, capped so no client can ask for everything."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def document_page_past_the_end(result, generator, request, public):
    """drf-spectacular postprocessing hook: a `?page=` past the last page answers 404 (DRF's
    paginator), so every paginated list documents that answer in the API's error shape."""
    if "ApiError" not in result.get("components", {}).get("schemas", {}):
        return result
    not_found = {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
        "description": "`not_found`: a page past the last one.",
    }
    for operations in result["paths"].values():
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            if any(parameter.get("name") == "page" for parameter in parameters):
                operation["responses"].setdefault("404", not_found)
    return result
