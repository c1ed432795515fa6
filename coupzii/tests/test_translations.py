"""The Hindi catalogue is complete and the committed .mo matches the .po."""

from pathlib import Path

import polib

from coupzii.core.i18n_compile import LOCALE_DIR

HINDI_PO = LOCALE_DIR / "hi" / "LC_MESSAGES" / "django.po"


def test_every_hindi_string_is_translated():
    catalogue = polib.pofile(str(HINDI_PO))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_mo_matches_the_po(tmp_path: Path):
    # `make messages` recompiles; a .po edited without it would ship stale translations.
    fresh = tmp_path / "django.mo"
    polib.pofile(str(HINDI_PO)).save_as_mofile(str(fresh))

    assert HINDI_PO.with_suffix(".mo").read_bytes() == fresh.read_bytes()
