"""Process phases: the services keep them in order (no overlap, never backwards) and the gate
says whether an action is open, with the date, on Singapore's calendar."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from audit.models import AuditEvent
from process import selectors
from process.models import Action, Phase
from process.selectors import action_refusal, action_state
from process.services import PhaseError, phase_create, phase_delete, phase_update
from reports.figures import launch_date
from reports.models import LaunchSettings
from tests.factories import PhaseFactory, phase_fields, sgt

pytestmark = pytest.mark.django_db


def ideas_phase(**kwargs):
    return PhaseFactory(
        start_date=date(2027, 1, 1), end_date=date(2027, 3, 3), allows_ideas=True, **kwargs
    )


# --- Creating, editing and deleting ---------------------------------------------------------


def test_phase_create_saves_the_phase_and_audits_it(staff):
    phase = phase_create(
        actor=staff,
        fields=phase_fields(
            date(2027, 1, 1),
            date(2027, 1, 31),
            title="Ideas",
            texts={"title": {"en": "Ideas", "ms": "Idea"}},
            actions=frozenset({Action.SUBMIT_IDEAS}),
        ),
    )
    assert phase.allows_ideas and not phase.allows_co_creation
    assert phase.title_en == "Ideas" and phase.title_ms == "Idea" and phase.title_ta is None
    with translation.override("ms"):
        assert Phase.objects.get().title == "Idea"
    with translation.override("ta"):
        assert Phase.objects.get().title == "Ideas"  # falls back to English
    event = AuditEvent.objects.get(action="process.phase_create")
    assert event.actor == staff and event.details["actions"] == ["submit_ideas"]


def test_phase_create_in_another_language_keeps_the_english_column(staff):
    with translation.override("zh-hans"):
        phase = phase_create(
            actor=staff,
            fields=phase_fields(
                date(2027, 1, 1),
                date(2027, 1, 31),
                texts={"title": {"en": "Ideas", "zh-hans": "点子"}},
            ),
        )
    phase = Phase.objects.get(pk=phase.pk)
    assert phase.title_en == "Ideas" and phase.title_zh_hans == "点子"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2027, 2, 1), date(2027, 2, 10)),  # inside
        (date(2026, 12, 1), date(2027, 1, 1)),  # touches the first day
        (date(2027, 3, 3), date(2027, 4, 1)),  # touches the last day
        (date(2026, 1, 1), date(2028, 1, 1)),  # around it
    ],
)
def test_overlapping_dates_are_refused_naming_the_phase_in_the_way(staff, start, end):
    ideas_phase(title="Ideas", title_en="Ideas")
    with pytest.raises(PhaseError, match="overlap “Ideas” \\(1 January 2027 to 3 March 2027\\)"):
        phase_create(actor=staff, fields=phase_fields(start, end))
    assert Phase.objects.count() == 1


def test_a_phase_may_start_the_day_after_another_ends(staff):
    ideas_phase()
    phase_create(actor=staff, fields=phase_fields(date(2027, 3, 4), date(2027, 3, 31)))
    assert Phase.objects.count() == 2


def test_a_backwards_phase_is_refused(staff):
    with pytest.raises(PhaseError, match="last day \\(1 January 2027\\) is before the first day"):
        phase_create(actor=staff, fields=phase_fields(date(2027, 2, 1), date(2027, 1, 1)))
    assert not Phase.objects.exists()


def test_a_hundred_year_phase_is_fine(staff):
    phase_create(actor=staff, fields=phase_fields(date(2027, 1, 1), date(2127, 1, 1)))
    assert Phase.objects.count() == 1


def test_a_one_day_phase_is_fine(staff):
    phase_create(actor=staff, fields=phase_fields(date(2027, 1, 1), date(2027, 1, 1)))
    assert Phase.objects.count() == 1


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ({"title": {"en": "  "}}, "needs a title in English"),
        ({"title": {"en": ""}, "what_happens": {"en": ""}}, "needs a title in English"),
        ({"what_happens": {"en": ""}}, "what happens in this phase"),
    ],
)
def test_missing_text_is_refused(staff, texts, message):
    with pytest.raises(PhaseError, match=message):
        phase_create(
            actor=staff, fields=phase_fields(date(2027, 1, 1), date(2027, 1, 2), texts=texts)
        )


def test_missing_dates_are_refused(staff):
    with pytest.raises(PhaseError, match="first day and a last day"):
        phase_create(actor=staff, fields=phase_fields(None, date(2027, 1, 2)))


def test_only_one_phase_is_the_launch(staff):
    PhaseFactory(title="Launch", title_en="Launch", is_launch=True)
    with pytest.raises(PhaseError, match="“Launch” is already the launch"):
        phase_create(
            actor=staff, fields=phase_fields(date(2028, 1, 1), date(2028, 1, 2), is_launch=True)
        )


def test_edit_keeps_phases_apart(staff):
    ideas_phase(title="Ideas", title_en="Ideas")
    later = PhaseFactory(start_date=date(2027, 4, 1), end_date=date(2027, 4, 30))
    with pytest.raises(PhaseError, match="overlap “Ideas”"):
        phase_update(
            phase=later, actor=staff, fields=phase_fields(date(2027, 3, 1), date(2027, 4, 30))
        )
    later.refresh_from_db()
    assert later.start_date == date(2027, 4, 1)


def test_edit_may_move_a_phase_within_its_own_dates(staff):
    phase = ideas_phase()
    phase_update(
        phase=phase,
        actor=staff,
        fields=phase_fields(
            date(2027, 1, 15), date(2027, 3, 3), title="Ideas, later", actions=frozenset()
        ),
    )
    phase.refresh_from_db()
    assert phase.start_date == date(2027, 1, 15) and phase.title == "Ideas, later"
    assert not phase.allows_ideas
    event = AuditEvent.objects.get(action="process.phase_update")
    assert event.details["before"]["start_date"] == "2027-01-01"
    assert event.details["after"]["start_date"] == "2027-01-15"


def test_edit_of_a_deleted_phase_is_a_message(staff):
    phase = ideas_phase()
    Phase.objects.filter(pk=phase.pk).delete()
    with pytest.raises(PhaseError, match="deleted in the meantime"):
        phase_update(
            phase=phase, actor=staff, fields=phase_fields(date(2027, 1, 1), date(2027, 1, 2))
        )


def test_phase_delete_removes_it_and_audits(staff):
    phase = ideas_phase()
    phase_delete(phase=phase, actor=staff)
    assert not Phase.objects.exists()
    assert AuditEvent.objects.filter(
        action="process.phase_delete", object_id=str(phase.pk)
    ).exists()


def test_the_database_refuses_a_backwards_phase():
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(
            title="x", what_happens="x", start_date=date(2027, 2, 1), end_date=date(2027, 1, 1)
        )


def test_the_database_refuses_a_second_launch():
    PhaseFactory(is_launch=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        PhaseFactory(start_date=date(2028, 1, 1), is_launch=True)


# --- The gate ---------------------------------------------------------------------------


def test_every_action_is_open_when_no_phase_is_defined():
    for action in Action:
        state = action_state(action)
        assert state.is_open and state.message == ""
        assert action_refusal(action) is None


def test_an_action_is_open_inside_a_phase_that_allows_it():
    ideas_phase()
    assert action_state(Action.SUBMIT_IDEAS, at=sgt(2027, 2, 1, 12, 0)).is_open
    assert not action_state(Action.CO_CREATE, at=sgt(2027, 2, 1, 12, 0)).is_open


def test_a_phase_runs_to_its_last_day_at_midnight_singapore_time():
    ideas_phase()
    # 3 March, 11:59 PM in Singapore is 3:59 PM UTC: still open.
    assert action_state(
        Action.SUBMIT_IDEAS, at=datetime(2027, 3, 3, 15, 59, 59, tzinfo=UTC)
    ).is_open
    # A second later it is 4 March in Singapore, though still 3 March in UTC.
    closed = action_state(Action.SUBMIT_IDEAS, at=datetime(2027, 3, 3, 16, 0, tzinfo=UTC))
    assert not closed.is_open
    assert closed.message == "Idea submission closed on 3 March 2027."


def test_a_phase_starts_at_midnight_singapore_time():
    ideas_phase()
    # 31 December 2026, 4:00 PM UTC is 1 January 2027, 00:00 in Singapore.
    assert action_state(Action.SUBMIT_IDEAS, at=datetime(2026, 12, 31, 16, 0, tzinfo=UTC)).is_open
    before = action_state(Action.SUBMIT_IDEAS, at=datetime(2026, 12, 31, 15, 59, tzinfo=UTC))
    assert before.message == "Idea submission opens on 1 January 2027."


def test_between_phases_the_next_opening_is_announced():
    ideas_phase()
    PhaseFactory(start_date=date(2027, 5, 1), end_date=date(2027, 5, 31), allows_ideas=True)
    state = action_state(Action.SUBMIT_IDEAS, at=sgt(2027, 4, 1, 9, 0))
    assert not state.is_open and state.phase is None
    assert state.message == "Idea submission opens on 1 May 2027."


def test_a_current_phase_without_the_action_closes_it():
    ideas_phase()
    current = PhaseFactory(
        start_date=date(2027, 3, 4), end_date=date(2027, 6, 1), allows_co_creation=True
    )
    state = action_state(Action.SUBMIT_IDEAS, at=sgt(2027, 3, 10, 9, 0))
    assert state.phase == current
    assert action_refusal(Action.SUBMIT_IDEAS, at=sgt(2027, 3, 10, 9, 0)) == (
        "Idea submission closed on 3 March 2027."
    )
    assert action_state(Action.CO_CREATE, at=sgt(2027, 3, 10, 9, 0)).is_open


def test_an_action_no_phase_allows_is_simply_not_open():
    PhaseFactory(start_date=date(2027, 1, 1), end_date=date(2027, 1, 31))
    state = action_state(Action.CO_CREATE, at=sgt(2027, 1, 5, 9, 0))
    assert state.message == "Co-creating initiatives is not open at this stage of the process."


def test_the_message_is_in_the_page_language():
    ideas_phase()
    with translation.override("ms"):
        message = action_state(Action.SUBMIT_IDEAS, at=sgt(2027, 4, 1, 9, 0)).message
    assert "Mac 2027" in message


def test_the_gate_costs_one_query(django_assert_num_queries):
    ideas_phase()
    PhaseFactory(start_date=date(2027, 5, 1), end_date=date(2027, 5, 31))
    with django_assert_num_queries(1):
        action_state(Action.SUBMIT_IDEAS, at=sgt(2027, 4, 1, 9, 0))


def test_the_timeline_marks_the_current_and_past_phases():
    first = ideas_phase()
    second = PhaseFactory(start_date=date(2027, 3, 4), end_date=date(2027, 4, 1))
    entries = selectors.timeline(at=sgt(2027, 3, 10, 9, 0))
    assert [(e.phase, e.is_current, e.is_past) for e in entries] == [
        (first, False, True),
        (second, True, False),
    ]


# --- The launch date, one source ----------------------------------------------------------


def test_the_launch_phase_gives_the_launch_date(settings):
    settings.AFA_LAUNCH_DATE = "2027-03-08"
    LaunchSettings.objects.create(pk=1, launch_date=date(2027, 4, 1))
    assert launch_date() == date(2027, 4, 1)
    PhaseFactory(start_date=date(2027, 5, 2), end_date=date(2027, 5, 30), is_launch=True)
    assert launch_date() == date(2027, 5, 2)


def test_without_a_launch_phase_the_settings_still_give_the_launch_date(settings):
    settings.AFA_LAUNCH_DATE = "2027-03-08"
    PhaseFactory(start_date=date(2027, 1, 1), end_date=date(2027, 1, 30))
    assert launch_date() == date(2027, 3, 8)
    assert launch_date() - timedelta(days=0) == date(2027, 3, 8)
