"""The working draft of an initiative: versions, conflicts, restore, publish, comments."""

import pytest

from accounts.models import Restriction
from accounts.services import account_erase
from initiatives import services
from initiatives.diff import diff_html
from initiatives.models import (
    DRAFT_SECTION_MAX,
    DraftComment,
    DraftVersion,
    ModerationAction,
    ModerationLog,
)
from initiatives.services import DraftConflict, DraftUnchanged, IdeaError
from tests.factories import (
    CoCreatorFactory,
    DraftVersionFactory,
    InitiativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def initiative(organiser):
    return InitiativeFactory(leads=[organiser])


@pytest.fixture
def cocreator(initiative):
    return CoCreatorFactory(initiative=initiative).user


def test_every_save_is_a_numbered_version_with_its_author(initiative, cocreator):
    first = services.draft_save(
        initiative=initiative, by=cocreator, base_number=0, problem="Abuse goes unreported."
    )
    second = services.draft_save(
        initiative=initiative, by=cocreator, base_number=1, proposal="Workshops.", note="added"
    )
    assert (first.number, second.number) == (1, 2)
    assert second.author == cocreator and second.note == "added"
    # A section not sent keeps the latest version's text.
    assert second.problem == "Abuse goes unreported." and second.proposal == "Workshops."


def test_saving_against_an_old_version_is_a_conflict_carrying_the_latest(initiative, cocreator):
    services.draft_save(initiative=initiative, by=cocreator, base_number=0, problem="One")
    services.draft_save(initiative=initiative, by=cocreator, base_number=1, problem="Two")
    with pytest.raises(DraftConflict) as conflict:
        services.draft_save(initiative=initiative, by=cocreator, base_number=1, problem="Mine")
    assert conflict.value.latest.number == 2 and conflict.value.latest.problem == "Two"
    assert DraftVersion.objects.filter(initiative=initiative).count() == 2


def test_saving_the_same_text_makes_no_new_version(initiative, cocreator):
    services.draft_save(initiative=initiative, by=cocreator, base_number=0, problem="Same")
    with pytest.raises(DraftUnchanged, match="Nothing changed since version 1"):
        services.draft_save(initiative=initiative, by=cocreator, base_number=1, problem="Same\r\n")
    assert DraftVersion.objects.filter(initiative=initiative).count() == 1


def test_a_one_megabyte_section_is_refused_with_its_length_and_nothing_saved(initiative, cocreator):
    with pytest.raises(IdeaError, match="at most 20000"):
        services.draft_save(
            initiative=initiative, by=cocreator, base_number=0, problem="x" * 1_000_000
        )
    assert not DraftVersion.objects.exists()


def test_the_whole_draft_is_capped_too(initiative, cocreator):
    big = "y" * DRAFT_SECTION_MAX
    with pytest.raises(IdeaError, match="whole draft"):
        services.draft_save(
            initiative=initiative,
            by=cocreator,
            base_number=0,
            problem=big,
            proposal=big,
            roles=big,
            milestones="z",
        )


def test_people_outside_the_initiative_cannot_save(initiative, other_participant):
    with pytest.raises(IdeaError, match="co-creators and organisers"):
        services.draft_save(initiative=initiative, by=other_participant, base_number=0, problem="x")


def test_a_suspended_co_creator_is_refused(initiative, cocreator):
    cocreator.restriction = Restriction.BLOCKED
    cocreator.save(update_fields=["restriction"])
    with pytest.raises(IdeaError, match="blocked"):
        services.draft_save(initiative=initiative, by=cocreator, base_number=0, problem="x")


def test_an_anonymous_co_creator_saves_as_anonymous_participant(initiative):
    hidden = CoCreatorFactory(initiative=initiative, show_name=False).user
    version = services.draft_save(initiative=initiative, by=hidden, base_number=0, problem="x")
    assert version.author_anonymous and version.public_author_name == "Anonymous participant"


def test_restore_copies_an_old_version_into_a_new_one_by_the_organiser(
    initiative, cocreator, organiser
):
    services.draft_save(initiative=initiative, by=cocreator, base_number=0, problem="Old")
    services.draft_save(initiative=initiative, by=cocreator, base_number=1, problem="New")
    old = DraftVersion.objects.get(initiative=initiative, number=1)
    restored = services.draft_restore(initiative=initiative, version=old, by=organiser)
    assert (restored.number, restored.problem, restored.author) == (3, "Old", organiser)
    assert restored.note == "Restored version 1"
    assert ModerationLog.objects.filter(action=ModerationAction.DRAFT_RESTORE).count() == 1


def test_a_co_creator_cannot_restore_or_publish(initiative, cocreator):
    version = services.draft_save(initiative=initiative, by=cocreator, base_number=0, problem="x")
    with pytest.raises(IdeaError):
        services.draft_restore(initiative=initiative, version=version, by=cocreator)
    with pytest.raises(IdeaError):
        services.draft_publish(initiative=initiative, version=version, by=cocreator)


def test_publish_makes_the_version_public_and_logs_it(initiative, cocreator, organiser):
    version = services.draft_save(initiative=initiative, by=cocreator, base_number=0, problem="x")
    services.draft_publish(initiative=initiative, version=version, by=organiser)
    initiative.refresh_from_db()
    assert initiative.published_version == version and initiative.published_at is not None
    log = ModerationLog.objects.get(action=ModerationAction.DRAFT_PUBLISH)
    assert (log.actor, log.target_id, log.to_status) == (organiser, initiative.pk, "1")
    with pytest.raises(IdeaError, match="already the published text"):
        services.draft_publish(initiative=initiative, version=version, by=organiser)


def test_a_version_of_another_initiative_is_refused(initiative, organiser):
    elsewhere = DraftVersionFactory()
    with pytest.raises(IdeaError, match="another initiative"):
        services.draft_publish(initiative=initiative, version=elsewhere, by=organiser)
    with pytest.raises(IdeaError, match="another initiative"):
        services.draft_restore(initiative=initiative, version=elsewhere, by=organiser)


def test_diff_marks_removed_and_added_words_with_text_labels():
    html = diff_html("Workshops in schools.\nSecond line.", "Workshops in all schools.\n")
    assert '<ins><span class="visually-hidden">Added: </span>all </ins>' in html
    assert '<del><span class="visually-hidden">Removed: </span>Second line.</del>' in html


def test_diff_escapes_what_people_typed():
    html = diff_html("", "<script>alert(1)</script>")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_comments_keep_the_privacy_check_and_the_version(initiative, cocreator):
    services.draft_save(initiative=initiative, by=cocreator, base_number=0, problem="x")
    comment = services.draft_comment_create(
        initiative=initiative,
        section="problem",
        author=cocreator,
        body="Call me on 9123 4567",
        version_number=1,
    )
    assert comment.version_number == 1
    assert "phone" in comment.personal_data_kinds


def test_comment_on_an_unknown_section_or_too_long_is_refused(initiative, cocreator):
    with pytest.raises(IdeaError, match="section"):
        services.draft_comment_create(
            initiative=initiative, section="nope", author=cocreator, body="x"
        )
    with pytest.raises(IdeaError, match="at most 2000"):
        services.draft_comment_create(
            initiative=initiative, section="problem", author=cocreator, body="x" * 2001
        )


def test_author_deletes_own_comment_organiser_removes_others_with_a_log(
    initiative, cocreator, organiser
):
    other = CoCreatorFactory(initiative=initiative).user
    mine = services.draft_comment_create(
        initiative=initiative, section="roles", author=cocreator, body="mine"
    )
    with pytest.raises(IdeaError):
        services.draft_comment_delete(comment=mine, by=other)
    services.draft_comment_delete(comment=mine, by=cocreator)
    theirs = services.draft_comment_create(
        initiative=initiative, section="roles", author=other, body="theirs"
    )
    services.draft_comment_delete(comment=theirs, by=organiser)
    assert not DraftComment.objects.exists()
    assert ModerationLog.objects.filter(action=ModerationAction.DRAFT_COMMENT_REMOVE).count() == 1


def test_erasure_keeps_versions_without_their_author_and_deletes_comments(initiative):
    person = UserFactory(display_name="Mei Ling Tan")
    CoCreatorFactory(initiative=initiative, user=person)
    version = services.draft_save(
        initiative=initiative,
        by=person,
        base_number=0,
        problem="Ask Mei Ling Tan",
        note="my note",
    )
    services.draft_comment_create(initiative=initiative, section="problem", author=person, body="c")
    account_erase(user=person, keep_contributions=False, requested_by=person)
    version.refresh_from_db()
    assert version.author is None and version.author_anonymous and version.note == ""
    assert "Mei Ling Tan" not in version.problem
    assert version.public_author_name == "Anonymous participant"
    assert not DraftComment.objects.exists()


def test_a_diff_of_two_long_unrelated_texts_is_shown_whole_and_quickly():
    old, new = "a " * 10_000, "b " * 10_000
    html = diff_html(old, new)
    assert html.count("<del>") == 1 and html.count("<ins>") == 1
