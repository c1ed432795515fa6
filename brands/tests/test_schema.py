"""Every brand API operation says in the schema that it can answer 404: a caller who is not a
member of the brand they name (or of any brand) gets 404 from each of them."""

from drf_spectacular.generators import SchemaGenerator

BRAND_API = "/api/v1/brand/"
# The caller's own brands: no brand is named, so nothing to be "not found".
WITHOUT_A_BRAND = {"/api/v1/brand/me/"}


def test_every_brand_operation_documents_404():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        f"{method.upper()} {path}": operation["responses"]
        for path, methods in schema["paths"].items()
        if path.startswith(BRAND_API) and path not in WITHOUT_A_BRAND
        for method, operation in methods.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert len(operations) > 40
    assert [name for name, responses in operations.items() if "404" not in responses] == []
