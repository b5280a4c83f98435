from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from engagement.models import EngagementSession, Registration
from feedback.models import Feedback
from feedback.services import may_give_session_feedback
from initiatives.models import Idea, IdeaStatus, Report, ReportStatus, Support
from reports.models import Digest, DigestStatus


def _row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "harms", "engagement", "initiatives", "reports", "mfa", "account"}
    }


@pytest.mark.django_db
def test_seed_demo_twice_creates_nothing_twice(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _row_counts()
    call_command("seed_demo")
    assert _row_counts() == first
    assert User.objects.filter(email__endswith="@example.com").count() >= 4


@pytest.mark.django_db
def test_demo_organiser_and_staff_have_two_factor_sign_in(settings, capsys):
    from allauth.mfa.utils import is_mfa_enabled

    settings.DEBUG = True
    call_command("seed_demo")
    for email in ["organiser@example.com", "staff@example.com", "admin@example.com"]:
        assert is_mfa_enabled(User.objects.get(email=email))
    capsys.readouterr()
    call_command("demo_totp", "organiser@example.com")
    code = capsys.readouterr().out.strip()
    assert code.isdigit() and len(code) == 6


@pytest.mark.django_db
def test_demo_passwords_are_printed_only_with_debug_on(settings, capsys):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "password" not in out.split("DEBUG is off")[0]
    assert not User.objects.get(email="participant@example.com").has_usable_password()
    with pytest.raises(CommandError):
        call_command("demo_totp", "organiser@example.com")


@pytest.mark.django_db(transaction=True)  # so the seeders' on-commit emails fire
def test_seed_demo_sends_no_email_to_the_made_up_people(settings, mailoutbox, capsys):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Subject:" not in out
    assert "notification emails to demo people were held back" in out
    assert mailoutbox == []


# --- The demo tells the truth: each journey in README.md can be walked with it ------------


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())


def test_past_registrations_were_made_before_their_session_and_its_people_had_joined(seeded):
    past = Registration.objects.filter(session__starts_at__lt=timezone.now())
    assert past.count() == 25
    for registration in past.select_related("session", "participant"):
        session = registration.session
        assert session.registration_opens_at <= registration.created_at < session.starts_at
        assert registration.confirmed_at == registration.created_at
        assert registration.participant.date_joined < registration.created_at
        assert session.created_at < session.registration_opens_at


def test_the_2021_digest_counts_the_registrations_behind_its_confirmed_places(seeded):
    digest = Digest.objects.get(period_start__year=2021)
    assert digest.status == DigestStatus.READY
    held = digest.figures["sessions"]["confirmed_at_held"]
    assert held == 25
    assert f'data-figure="new_registrations">{held}<' in digest.html
    assert digest.figures["participants"]["new_total"] == 13


def test_the_demo_participant_attended_a_past_session_and_can_give_feedback_on_it(seeded):
    participant = User.objects.get(email="participant@example.com")
    attended = Registration.objects.get(participant=participant, attended=True)
    assert attended.session.starts_at < timezone.now()
    assert may_give_session_feedback(session=attended.session, participant=participant)
    assert not Feedback.objects.filter(participant=participant, session=attended.session)

    client = Client()
    client.force_login(participant)
    page = client.get(reverse("feedback:home")).content.decode()
    assert reverse("feedback:session_new", args=[attended.session.slug]) in page


def test_published_ideas_have_varied_supporters_so_most_supported_sorts(seeded):
    counts = dict(Idea.objects.values_list("title", "support_count"))
    for idea in Idea.objects.all():
        assert idea.support_count == Support.objects.filter(idea=idea).count()
        assert not Support.objects.filter(idea=idea, user_id=idea.author_id).exists()
    assert len({count for count in counts.values() if count}) >= 5
    published = Idea.objects.filter(status=IdeaStatus.APPROVED).order_by(
        "-support_count", "-decided_at", "-id"
    )  # the board's own order, ties included
    assert published[0].support_count > published[1].support_count > 0

    page = Client().get(reverse("initiatives:idea_board"), {"sort": "supported"}).content.decode()
    titles = [escape(idea.title) for idea in published]
    positions = [page.index(title) for title in titles]
    assert positions == sorted(positions)
    # The demo participant has supported nothing yet: supporting is theirs to try.
    assert not Support.objects.filter(user__email="participant@example.com").exists()


def test_the_readme_journeys_have_what_they_need(seeded):
    participant = User.objects.get(email="participant@example.com")
    # Sessions: "When images are shared without consent" has one seat left.
    images = EngagementSession.objects.get(title="When images are shared without consent")
    assert images.capacity - images.seats_taken == 1
    assert not images.registrations.filter(participant=participant).exists()
    # Moderation: ideas in every status, an open report and two pending ideas.
    assert set(Idea.objects.values_list("status", flat=True)) == set(IdeaStatus.values)
    assert Idea.objects.filter(status=IdeaStatus.SUBMITTED).count() == 2
    assert Report.objects.filter(status=ReportStatus.OPEN).exists()
    # Digests: the 2021 digest has quotes.
    assert Digest.objects.get(period_start__year=2021).figures["quotes"]


def test_seeding_again_the_same_day_keeps_the_truth(seeded):
    call_command("seed_demo", stdout=StringIO())
    assert Registration.objects.filter(created_at__gte=F("session__starts_at")).count() == 0
    assert Support.objects.count() == sum(Idea.objects.values_list("support_count", flat=True))
    assert Digest.objects.filter(period_start__year=2021).count() == 1


@pytest.mark.django_db
def test_the_demo_has_ideas_written_in_chinese_malay_and_tamil_and_its_comments_are_shown():
    from initiatives.models import Comment, CommentStatus, Idea, IdeaStatus

    call_command("seed_demo", stdout=StringIO())
    titles = list(Idea.objects.filter(status=IdeaStatus.APPROVED).values_list("title", flat=True))
    assert any("华语" in title for title in titles)
    assert any("bahasa Melayu" in title for title in titles)
    assert any("தமிழில்" in title for title in titles)
    assert not Comment.objects.filter(status=CommentStatus.PENDING).exists()


@pytest.mark.django_db
def test_the_demo_records_the_language_of_what_people_wrote_and_has_feedback_in_each():
    from initiatives import selectors
    from initiatives.models import Comment, IdeaStatus

    call_command("seed_demo", stdout=StringIO())
    approved = Idea.objects.filter(status=IdeaStatus.APPROVED)
    by_language = dict(approved.exclude(language="en").values_list("language", "title"))
    assert "华语" in by_language["zh-hans"]
    assert "bahasa Melayu" in by_language["ms"]
    assert "தமிழில்" in by_language["ta"]
    assert approved.filter(language="en").count() >= 3
    assert set(Comment.objects.exclude(language="en").values_list("language", flat=True)) == {
        "zh-hans",
        "ms",
    }
    written = Feedback.objects.exclude(language="en")
    assert sorted(written.values_list("language", flat=True)) == ["ms", "ta", "zh-hans"]
    assert all(feedback.experience and feedback.suggestions.exists() for feedback in written)
    # A reader finds the Chinese idea by a two-character word.
    assert [idea.language for idea in selectors.board_ideas(query="华语")] == ["zh-hans"]
    call_command("seed_demo", stdout=StringIO())
    assert Feedback.objects.exclude(language="en").count() == 3
