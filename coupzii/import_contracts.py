"""Our own import-linter contract type: outside its own package, an app is reached only through
its public modules (ARCHITECTURE.md, "Who may call whom"). Configured in pyproject.toml
([tool.importlinter]) and run by `make lint`; a development tool, never imported by the site.

import-linter's built-in contracts say what may not be imported (forbidden, layers) or who may
import a module (protected); none says "only these modules of a package", so this one does:
every import of one of an app's modules from outside the app is refused unless the module is
public (its first name under the app is one of `public`, e.g. `wallet.services.cashback`
under `services`), the importer is test code (a module with a `tests` part, or a pytest
`conftest`), or the pair is listed in `allow`.
"""

from fnmatch import fnmatchcase

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


class PublicSurfaceContract(Contract):
    """Options:

    - apps: the apps' packages; "(name)" is an app that may not exist yet (skipped if absent).
    - public: the modules of an app that other packages may import, by name under the app
      (services, selectors, models ...), each with its descendants. The app package itself
      counts as public: an app's __init__ holds nothing.
    - allow: exceptions, "importer -> imported" with shell-style wildcards (`*`), each with
      its reason in a comment beside it in the configuration.
    """

    type_name = "public_surface"

    apps = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())
    allow = fields.ListField(subfield=fields.StringField(), required=False, default=[])

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        missing, present = [], []
        for raw in self.apps:
            name = raw.strip("()")
            if name in graph.modules:
                present.append(name)
            elif not (raw.startswith("(") and raw.endswith(")")):
                missing.append(name)
        allowed = [self._parse_allow(line) for line in self.allow]
        unused = set(range(len(allowed)))
        illegal = []
        for app in present:
            for imported in sorted({app} | graph.find_descendants(app)):
                if self._is_public(app, imported):
                    continue
                for importer in sorted(graph.find_modules_that_directly_import(imported)):
                    if _inside(importer, app) or _is_test_code(importer):
                        continue
                    matched = [
                        index
                        for index, (importer_pattern, imported_pattern) in enumerate(allowed)
                        if fnmatchcase(importer, importer_pattern)
                        and fnmatchcase(imported, imported_pattern)
                    ]
                    if matched:
                        unused -= set(matched)
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = sorted({detail["line_number"] for detail in details})
                    illegal.append({"importer": importer, "imported": imported, "lines": lines})
        warnings = [f"Unused allow entry: {self.allow[index]}" for index in sorted(unused)]
        return ContractCheck(
            kept=not (illegal or missing),
            metadata={"illegal": illegal, "missing": missing},
            warnings=warnings,
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for name in check.metadata["missing"]:
            output.print_error(f"No package {name}: put it in parentheses if it may be absent.")
            output.new_line()
        for link in check.metadata["illegal"]:
            lines = ", ".join(str(line) for line in link["lines"])
            output.print_error(
                f"{link['importer']} -> {link['imported']} (l. {lines}): not a public module",
                bold=False,
            )
        output.new_line()
        output.print(
            f"Import {', '.join(self.public)} of another app, or re-export what is needed there."
        )

    def _is_public(self, app: str, module: str) -> bool:
        if module == app:
            return True
        return module[len(app) + 1 :].split(".")[0] in self.public

    @staticmethod
    def _parse_allow(line: str) -> tuple[str, str]:
        importer, arrow, imported = line.partition("->")
        if not arrow:
            raise ValueError(f"An allow entry reads 'importer -> imported': {line!r}")
        return importer.strip(), imported.strip()


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def _is_test_code(module: str) -> bool:
    parts = module.split(".")
    return "tests" in parts or parts[-1] == "conftest"
