"""Compile locale/*/LC_MESSAGES/django.po into django.mo with polib.

GNU gettext (msgfmt) is not on a new machine, so `make run` and `make test` compile with this
pure-Python script (polib is a dev dependency). The .mo files are committed too: a .mo that
already says what its .po says is left untouched, so a fresh checkout stays clean.
tests/i18n/test_catalogues.py holds every committed .mo equal to its .po.

    python scripts/compile_messages.py [--check]
"""

import argparse
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def catalogue_messages(catalogue) -> dict:
    """What a catalogue says, as gettext reads it: the translated entries (a fuzzy entry is not
    used by gettext, nor an obsolete or an empty one), keyed by context and msgid."""
    messages = {}
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgid:
            continue
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
            if not all(forms):
                continue
            messages[(entry.msgctxt, entry.msgid, entry.msgid_plural)] = forms
        elif entry.msgstr:
            messages[(entry.msgctxt, entry.msgid, None)] = (entry.msgstr,)
    return messages


def mo_matches(po_path: Path) -> bool:
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return False
    return catalogue_messages(polib.pofile(str(po_path))) == catalogue_messages(
        polib.mofile(str(mo_path))
    )


def compile_all(*, check: bool = False) -> list[Path]:
    """Compile every .po whose .mo differs; with check, only list them."""
    stale = [po for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")) if not mo_matches(po)]
    if not check:
        for po in stale:
            polib.pofile(str(po)).save_as_mofile(str(po.with_suffix(".mo")))
    return stale


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a .mo is out of date")
    args = parser.parse_args()
    stale = compile_all(check=args.check)
    for po in stale:
        verb = "out of date" if args.check else "compiled"
        print(f"{po.relative_to(LOCALE.parent)}: {verb}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
