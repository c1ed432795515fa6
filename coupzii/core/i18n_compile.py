"""Compile every locale/*/LC_MESSAGES/*.po to .mo with polib (no GNU gettext needed)."""

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent.parent / "locale"


def compile_all() -> list[Path]:
    compiled = []
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        compiled.append(mo_path)
    return compiled


if __name__ == "__main__":
    for path in compile_all():
        print(f"compiled {path.relative_to(LOCALE_DIR.parent)}")
