"""One state machine per stateful model: README.md's "State machines" tables are exactly the
code's, every table in the code is documented, the table type refuses what it does not list,
and no template compares a status string."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings

from accounts.models import PERSONAL_DATA_ARCHIVE_TRANSITIONS
from afa_platform.states import FINAL, NEW, TransitionError, Transitions
from engagement.models import REGISTRATION_TRANSITIONS, SESSION_TRANSITIONS
from exports.models import EXPORT_JOB_TRANSITIONS
from initiatives.models import COMMENT_TRANSITIONS, IDEA_TRANSITIONS, INITIATIVE_TRANSITIONS
from reports.models import DIGEST_TRANSITIONS, SESSION_SUMMARY_TRANSITIONS

BASE_DIR = Path(django_settings.BASE_DIR)
README = BASE_DIR / "README.md"
TEMPLATES = BASE_DIR / "templates"

# The seven stateful models of issue 11 and issue 13's archive, each with its table.
EXPECTED = {
    "accounts.models.PERSONAL_DATA_ARCHIVE_TRANSITIONS": PERSONAL_DATA_ARCHIVE_TRANSITIONS,
    "engagement.models.SESSION_TRANSITIONS": SESSION_TRANSITIONS,
    "engagement.models.REGISTRATION_TRANSITIONS": REGISTRATION_TRANSITIONS,
    "initiatives.models.IDEA_TRANSITIONS": IDEA_TRANSITIONS,
    "initiatives.models.COMMENT_TRANSITIONS": COMMENT_TRANSITIONS,
    "initiatives.models.INITIATIVE_TRANSITIONS": INITIATIVE_TRANSITIONS,
    "reports.models.DIGEST_TRANSITIONS": DIGEST_TRANSITIONS,
    "reports.models.SESSION_SUMMARY_TRANSITIONS": SESSION_SUMMARY_TRANSITIONS,
    "exports.models.EXPORT_JOB_TRANSITIONS": EXPORT_JOB_TRANSITIONS,
}

HEADING = re.compile(r"^### .*\(`(?P<path>[\w.]+)`\)\s*$")
STATE = re.compile(r"`(\w+)`")


def _readme_tables() -> dict[str, dict[str, frozenset[str]]]:
    """README.md's "State machines" section: {dotted path of the table: {from: targets}}."""
    text = README.read_text(encoding="utf-8")
    assert "\n## State machines\n" in text, "README.md has no “State machines” section"
    section = text.split("\n## State machines\n", 1)[1].split("\n## ", 1)[0]
    tables: dict[str, dict[str, frozenset[str]]] = {}
    current = None
    for line in section.splitlines():
        heading = HEADING.match(line)
        if heading:
            current = heading["path"]
            assert current not in tables, f"{current} is documented twice"
            tables[current] = {}
            continue
        if current is None or not line.startswith("| ") or line.startswith("| From "):
            continue
        source, targets = (cell.strip() for cell in line.strip().strip("|").split("|"))
        key = source if source == NEW else STATE.fullmatch(source)[1]
        assert key not in tables[current], f"{current}: row {key} written twice"
        states = frozenset(STATE.findall(targets))
        assert states or targets == FINAL, f"{current}: row {key} names no state: {targets!r}"
        tables[current][key] = states
    return tables


def _declared_tables() -> dict[str, Transitions]:
    """Every Transitions object at the top of one of our apps' models modules."""
    found = {}
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(BASE_DIR):
            continue
        try:
            module = importlib.import_module(f"{config.name}.models")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if isinstance(value, Transitions):
                found[f"{module.__name__}.{name}"] = value
    return found


def test_every_stateful_model_declares_its_table_beside_the_model():
    assert _declared_tables() == EXPECTED


def test_readme_documents_every_table_and_nothing_else():
    assert set(_readme_tables()) == set(_declared_tables())


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_readme_table_is_exactly_the_code_table(path):
    documented = _readme_tables()[path]
    assert documented == EXPECTED[path].rows()


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_each_table_covers_every_status_of_its_field(path):
    table = EXPECTED[path]
    model_name, field_name = table.name.split(".")
    (model,) = (m for m in apps.get_models() if m.__name__ == model_name)
    choices = {value for value, _label in model._meta.get_field(field_name).choices}
    assert set(table.states) == choices


# --- The table type ----------------------------------------------------------------------


LAMP = Transitions(
    "Lamp.status",
    {"off": {"on"}, "on": {"off", "broken"}, "broken": set()},
    initial={"off"},
)


def test_a_move_the_table_does_not_list_is_refused():
    assert LAMP.allowed("off", "on")
    assert not LAMP.allowed("broken", "on")
    assert not LAMP.allowed("off", "broken")
    with pytest.raises(TransitionError, match="broken may not become on"):
        LAMP.check("broken", "on")
    with pytest.raises(TransitionError, match="may not start on"):
        LAMP.check_initial("on")


def test_sources_are_read_from_the_table_and_a_chosen_source_is_checked():
    assert LAMP.sources_of("off") == {"on"}
    assert LAMP.sources_of("broken", among={"on"}) == {"on"}
    with pytest.raises(TransitionError, match="off may not become broken"):
        LAMP.sources_of("broken", among={"on", "off"})


def test_update_writes_only_rows_whose_status_may_become_the_target():
    class Rows:
        def __init__(self):
            self.calls = []

        def filter(self, **lookup):
            self.calls.append(("filter", lookup))
            return self

        def update(self, **fields):
            self.calls.append(("update", fields))
            return 1

    rows = Rows()
    assert LAMP.update(rows, to="off", among={"on"}, watts=0) == 1
    assert rows.calls == [
        ("filter", {"status__in": ["on"]}),
        ("update", {"status": "off", "watts": 0}),
    ]


def test_a_table_naming_a_state_without_a_row_is_refused_when_declared():
    with pytest.raises(ValueError, match="without a row"):
        Transitions("Lamp.status", {"off": {"on"}}, initial={"off"})
    with pytest.raises(ValueError, match="may start in"):
        Transitions("Lamp.status", {"off": set()}, initial=set())


def test_markdown_is_the_form_the_readme_is_parsed_in():
    assert LAMP.markdown().splitlines() == [
        "| From | May become |",
        "|---|---|",
        "| (new) | `off` |",
        "| `off` | `on` |",
        "| `on` | `off`, `broken` |",
        "| `broken` | (final) |",
    ]


# --- Templates ask the model ---------------------------------------------------------------

# `x.status == "..."`, `"..." != quote_status`, `status in "..."`, `status.value`: a template
# that repeats a state machine's rules instead of asking the model.
STATUS_COMPARISON = re.compile(
    r"\w*status\b\s*(==|!=|\bin\b|\bnot in\b)|(==|!=)\s*[\w.]*status\b|status\.value"
)


def test_no_template_compares_a_status_string():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file() and path.suffix in {".html", ".txt"}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if STATUS_COMPARISON.search(line)
    ]
    assert offenders == []


def test_the_template_check_catches_what_it_is_for():
    for line in (
        '{% if idea.status == "approved" %}',
        "{% if session.status != 'cancelled' %}",
        '{% if feedback.quote_status == "approved" %}',
        "{% if value == status %}",
        '{% if digest.status in "ready failed" %}',
    ):
        assert STATUS_COMPARISON.search(line), line
    for line in (
        '<a href="?status=waitlisted">',
        "{{ idea.get_status_display }}",
        'role="status"',
        "{% for code, label, count in ideas_by_status %}",
    ):
        assert not STATUS_COMPARISON.search(line), line
