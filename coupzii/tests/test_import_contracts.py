"""The public_surface import-linter contract (coupzii/import_contracts.py) that `make lint` runs:
outside its own package an app is reached only through its public modules."""

import grimp
import pytest
from importlinter.domain.contract import InvalidContractOptions

from coupzii.import_contracts import PublicSurfaceContract

IMPORTS = [
    ("commerce.services.checkout", "wallet.services"),  # public: services
    ("commerce.services.checkout", "wallet.services.cashback"),  # public: inside services
    ("commerce.models", "catalog.models"),  # public: models, for a foreign key
    ("commerce.services.refunds", "wallet.ledger"),  # private
    ("commerce.tests.test_checkout", "wallet.ledger"),  # a test: anything goes
    ("wallet.services", "wallet.ledger"),  # inside its own app
    ("offers.serializers", "catalog.serializers"),  # private, unless allowed
    ("coupzii.views", "offers.cache_coherence"),  # the project is outside every app too
]


def graph_of(imports) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for package in ("catalog", "commerce", "coupzii", "offers", "wallet"):
        graph.add_module(package)
    for number, (importer, imported) in enumerate(imports, 1):
        graph.add_import(
            importer=importer, imported=imported, line_number=number, line_contents="import"
        )
    return graph


def check(*, apps=("catalog", "commerce", "offers", "wallet"), allow=(), imports=IMPORTS):
    contract = PublicSurfaceContract(
        name="public surface",
        session_options={},
        contract_options={
            "apps": list(apps),
            "public": ["services", "selectors", "models"],
            "allow": list(allow),
        },
    )
    return contract.check(graph_of(imports), verbose=False)


def illegal(result) -> list[tuple[str, str]]:
    return [(link["importer"], link["imported"]) for link in result.metadata["illegal"]]


def test_only_imports_of_another_apps_private_modules_from_outside_break_it():
    result = check()

    assert not result.kept
    assert illegal(result) == [
        ("offers.serializers", "catalog.serializers"),
        ("coupzii.views", "offers.cache_coherence"),
        ("commerce.services.refunds", "wallet.ledger"),
    ]
    assert result.metadata["illegal"][2]["lines"] == [4]


def test_an_allowed_pair_is_kept_and_an_allow_entry_nothing_uses_is_reported():
    result = check(
        allow=[
            "offers.serializers -> catalog.serializers",
            "coupzii.* -> offers.*",
            "commerce.services.* -> wallet.ledger",
            "wallet.* -> commerce.*",
        ]
    )

    assert result.kept
    assert result.warnings == ["Unused allow entry: wallet.* -> commerce.*"]


def test_an_app_in_parentheses_may_be_missing_and_one_without_may_not():
    assert check(apps=["(marketplace)"]).kept
    result = check(apps=["marketplace"])

    assert not result.kept
    assert result.metadata["missing"] == ["marketplace"]


def test_an_allow_entry_without_an_arrow_is_refused():
    with pytest.raises(ValueError, match="importer -> imported"):
        check(allow=["offers.serializers catalog.serializers"])


def test_a_misspelt_option_is_refused():
    with pytest.raises(InvalidContractOptions):
        PublicSurfaceContract(
            name="x", session_options={}, contract_options={"apps": ["a"], "publik": ["b"]}
        )
