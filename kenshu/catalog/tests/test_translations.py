"""The Japanese catalogue and its pure-Python compilation (manage.py compile_translations)."""

import re
from io import StringIO
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command

JA_PO = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def test_japanese_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = polib.pofile(str(JA_PO))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    assert po.metadata["Language"] == "ja"
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"


def test_japanese_catalogue_keeps_every_placeholder_of_its_msgid():
    po = polib.pofile(str(JA_PO))
    for entry in po.translated_entries():
        if "python-format" not in entry.flags:
            continue
        msgstrs = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        expected = set(placeholders_of(entry.msgid))
        for msgstr in msgstrs:
            assert set(placeholders_of(msgstr)) == expected, entry.msgid


def placeholders_of(text: str) -> list[str]:
    return re.findall(r"%\(\w+\)[sd]|%[sd]", text)


def _write_po(path: Path) -> None:
    po = polib.POFile()
    po.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": "ja",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    po.append(polib.POEntry(msgid="Course", msgstr="コース"))
    po.append(polib.POEntry(msgid="Session", msgstr="日程", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Venue", msgstr=""))
    po.append(
        polib.POEntry(msgid="%(n)s day", msgid_plural="%(n)s days", msgstr_plural={0: "%(n)s日間"})
    )
    path.parent.mkdir(parents=True)
    po.save(str(path))


def test_compile_translations_writes_a_mo_next_to_each_po_without_fuzzy_entries(tmp_path, settings):
    po_path = tmp_path / "ja" / "LC_MESSAGES" / "django.po"
    _write_po(po_path)
    settings.LOCALE_PATHS = [tmp_path]
    out = StringIO()

    call_command("compile_translations", stdout=out)

    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {entry.msgid: entry.msgstr or entry.msgstr_plural for entry in mo}
    assert compiled == {"Course": "コース", "%(n)s day": {0: "%(n)s日間"}}
    assert f"Compiled {po_path}" in out.getvalue()
    assert "2 translated, 1 fuzzy (skipped), 1 untranslated" in out.getvalue()


def test_compiled_catalogue_is_read_by_gettext(tmp_path, settings):
    import gettext

    po_path = tmp_path / "ja" / "LC_MESSAGES" / "django.po"
    _write_po(po_path)
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compile_translations", stdout=StringIO())

    catalogue = gettext.translation("django", localedir=tmp_path, languages=["ja"])
    # (looked up through variables so that makemessages does not collect these msgids)
    lookup, lookup_plural = catalogue.gettext, catalogue.ngettext
    assert lookup("Course") == "コース"
    assert lookup("Session") == "Session"  # fuzzy: left in English
    assert lookup_plural("%(n)s day", "%(n)s days", 5) == "%(n)s日間"


def test_compile_translations_with_stale_skips_an_up_to_date_catalogue(tmp_path, settings):
    po_path = tmp_path / "ja" / "LC_MESSAGES" / "django.po"
    _write_po(po_path)
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compile_translations", stdout=StringIO())

    out = StringIO()
    call_command("compile_translations", "--stale", stdout=out)
    assert "All translations are up to date." in out.getvalue()


def test_compile_translations_is_silent_with_verbosity_0(tmp_path, settings):
    _write_po(tmp_path / "ja" / "LC_MESSAGES" / "django.po")
    settings.LOCALE_PATHS = [tmp_path]
    out = StringIO()
    call_command("compile_translations", verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert (tmp_path / "ja" / "LC_MESSAGES" / "django.mo").exists()
