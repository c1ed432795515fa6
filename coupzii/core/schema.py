"""drf-spectacular postprocessing hooks: answers that any operation of a kind can give, which
the views' own schemas don't list, so the published schema tells clients every answer."""

ERROR = {"$ref": "#/components/schemas/ApiError"}


def _error_response(description: str) -> dict:
    return {"content": {"application/json": {"schema": ERROR}}, "description": description}


def _operations(result: dict):
    for operations in result["paths"].values():
        yield from operations.values()


def document_shared_answers(result, generator, request, public):
    """Every operation with a path parameter may answer 400 for a NUL in it (see
    coupzii.core.url_guard), every operation that reads a body 415 for a body of a type it
    doesn't parse (DRF's parsers), and every paginated list 404 for a `?page=` past the last
    page (DRF's paginator)."""
    if "ApiError" not in result.get("components", {}).get("schemas", {}):
        return result
    for operation in _operations(result):
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        if any(parameter.get("in") == "path" for parameter in parameters):
            responses.setdefault("400", _error_response("`invalid`: a NUL (%00) in the address."))
        if "requestBody" in operation:
            responses.setdefault(
                "415", _error_response("`unsupported_media_type`: a body of another type.")
            )
        if any(parameter.get("name") == "page" for parameter in parameters):
            responses.setdefault("404", _error_response("`not_found`: a page past the last one."))
    return result
