"""Demo digest: the weeks of the 2021 engagement sessions, compiled synchronously through the
service. Idempotent: a ready digest for that period is kept. And "What we heard" for the 8
March 2021 session, published through the services (kept if there already is one)."""

from datetime import date

from django.utils import timezone

from accounts.models import User
from audit.periods import period_for_dates
from engagement.models import EngagementSession
from harms.models import SolutionArea

from . import selectors
from .models import Digest, DigestKind, DigestStatus, SessionSummary
from .services import digest_compile, summary_publish, summary_save

DEMO_SUMMARY_SESSION = "afa-engagement-session-2021-03-08"
DEMO_SUMMARY = """Thank you to everyone who came on 8 March. We talked in small groups, then \
together, about what makes harm online so hard to escape and what would help.

# Themes

- **Images shared without consent** spread faster than any takedown. People asked for one \
place to report them across platforms, and for help that answers within hours.
- **Unwelcome messages and grooming** often start on ordinary apps. Parents and students \
asked for plain guidance on what to do and whom to tell.
- **Platforms** should make safety the default, and say publicly how fast they act.

# What happens next

The ideas below are open for support and comments. Some of them will be taken up by \
initiatives in the lead-up to the Alliance's launch."""


def seed(stdout) -> None:
    _seed_digest(stdout)
    _seed_summary(stdout)


def _seed_summary(stdout) -> None:
    session = EngagementSession.objects.filter(slug=DEMO_SUMMARY_SESSION).first()
    organiser = User.objects.filter(email="organiser@example.com").first()
    if session is None or organiser is None:
        return
    if SessionSummary.objects.filter(session=session).exists():
        stdout.write("What we heard: kept the summary of the 8 March session")
        return
    summary = summary_save(
        session=session,
        organiser=organiser,
        body=DEMO_SUMMARY,
        harm_category_ids=list(session.harm_categories.values_list("pk", flat=True)),
        solution_area_ids=list(SolutionArea.objects.values_list("pk", flat=True)),
        idea_ids=[idea.pk for idea in selectors.summary_idea_choices(session)[:3]],
        quote_ids=[feedback.pk for feedback in selectors.summary_quote_choices(session)[:3]],
    )
    summary_publish(summary=summary, organiser=organiser)
    stdout.write("What we heard: published the summary of the 8 March session")


def _seed_digest(stdout) -> None:
    start, end = period_for_dates(date(2021, 2, 15), date(2021, 3, 14))
    digest, _created = Digest.objects.get_or_create(
        kind=DigestKind.ON_DEMAND,
        period_start=start,
        period_end=end,
        defaults={"queued_at": timezone.now()},
    )
    if digest.status == DigestStatus.READY:
        stdout.write(f"Digest: kept {digest}")
        return
    digest_compile(digest_id=digest.pk)
    digest.refresh_from_db()
    stdout.write(f"Digest: {digest} is {digest.get_status_display().lower()}")
