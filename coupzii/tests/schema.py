"""Checks a test client's API answer against the OpenAPI schema the API publishes, with the
validator `make fuzz` uses (schemathesis), for tests that pin down what the schema declares."""

from functools import cache

import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from schemathesis.core.transport import Response


@cache
def _published_schema():
    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


def assert_matches_schema(response, *, method: str, path: str) -> None:
    """Raise schemathesis's FailureGroup, naming each violation, when `response` (the test
    client's answer to `method` on `path`, written as the schema writes it) breaks the schema:
    an undeclared null, a wrong type or format, a missing required field."""
    operation = _published_schema()[path][method.upper()]
    request = requests.Request(
        method.upper(), f"http://testserver{response.wsgi_request.get_full_path()}"
    ).prepare()
    operation.validate_response(
        Response(
            status_code=response.status_code,
            headers={name: [value] for name, value in response.items()},
            content=response.content,
            request=request,
            elapsed=0.0,
            verify=True,
        )
    )
