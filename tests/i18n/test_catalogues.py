"""The three translated catalogues are complete and compiled (issue 14, item 2)."""

import gettext
import importlib.util
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
TRANSLATED = ["zh_Hans", "ms", "ta"]

_spec = importlib.util.spec_from_file_location(
    "compile_messages", ROOT / "scripts" / "compile_messages.py"
)
compile_messages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compile_messages)


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def test_every_site_language_but_english_has_a_catalogue():
    codes = [code for code, _name in settings.LANGUAGES]
    assert codes == ["en", "zh-hans", "ms", "ta"]
    assert [code.replace("zh-hans", "zh_Hans") for code in codes[1:]] == TRANSLATED


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_has_no_untranslated_or_fuzzy_entry(language):
    po = polib.pofile(str(catalogue(language)))
    live = [entry for entry in po if not entry.obsolete]
    assert len(live) > 1000, "the catalogue holds the whole site"
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [], f"{len(untranslated)} untranslated in {language}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {language}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_keeps_every_placeholder(language):
    """A translation that drops or renames %(name)s breaks the page that formats it."""
    wrong = []
    for entry in polib.pofile(str(catalogue(language))):
        if entry.obsolete or not entry.translated():
            continue
        source = compile_messages_placeholders(entry.msgid + (entry.msgid_plural or ""))
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            if not compile_messages_placeholders(form) <= source:
                wrong.append(entry.msgid)
    assert wrong == []


def compile_messages_placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\([A-Za-z0-9_]+\)[sdif]", text))


@pytest.mark.parametrize("language", ["en", *TRANSLATED])
def test_committed_mo_matches_its_po(language):
    po = catalogue(language)
    assert po.with_suffix(".mo").exists(), f"compile it: make catalogues ({language})"
    assert compile_messages.mo_matches(po), f"{language}: django.mo is out of date"


def test_compiling_writes_a_mo_gettext_reads(tmp_path):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="Sessions", msgstr="அமர்வுகள்"))
    po.append(polib.POEntry(msgid="Ideas", msgstr="", flags=["fuzzy"]))
    path = tmp_path / "django.po"
    po.save(str(path))
    assert not compile_messages.mo_matches(path)
    po.save_as_mofile(str(path.with_suffix(".mo")))
    assert compile_messages.mo_matches(path)
    with path.with_suffix(".mo").open("rb") as mo:
        assert gettext.GNUTranslations(mo).gettext("Sessions") == "அமர்வுகள்"
