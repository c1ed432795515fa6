"""drf-spectacular postprocessing hooks: answers that any operation of a kind can give, which
the views' own schemas don't list, so the published schema tells clients every answer."""

ERROR = {"$ref": "#/components/schemas/ApiError"}


def _error_response(description: str) -> dict:
    return {"content": {"application/json": {"schema": ERROR}}, "description": description}


def _operations(result: dict):
    for operations in result["paths"].values():
        yield from operations.values()


def document_shared_answers(result, generator, request, public):
    """Every operation may answer 400 for an address it can't read (a NUL in it: see
    coupzii.core.url_guard), and every paginated list 404 for a `?page=` past the last page
    (DRF's paginator)."""
    if "ApiError" not in result.get("components", {}).get("schemas", {}):
        return result
    for operation in _operations(result):
        responses = operation["responses"]
        responses.setdefault("400", _error_response("`invalid`: an address holding a NUL (%00)."))
        parameters = operation.get("parameters", [])
        if any(parameter.get("name") == "page" for parameter in parameters):
            responses.setdefault("404", _error_response("`not_found`: a page past the last one."))
    return result
