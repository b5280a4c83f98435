"""Demo phases around today: the conversations behind us, ideas and co-creation open now,
the launch phase starting on the official launch date (AFA_LAUNCH_DATE, 8 March 2027 by
default). Safe to re-run: with any phase in place, nothing is added."""

from datetime import date, timedelta

from django.conf import settings

from .models import Action, Phase
from .selectors import singapore_day
from .services import PhaseFields, phase_create

# Ideas and co-creation need a few days between today and the launch for the demo to work.
MIN_DAYS_TO_LAUNCH = 16


def _phases(today: date, launch: date) -> list[PhaseFields]:
    ideas_end = min(today + timedelta(days=14), launch - timedelta(days=2))
    return [
        PhaseFields(
            start_date=today - timedelta(days=60),
            end_date=today - timedelta(days=15),
            texts={
                "title": {
                    "en": "Conversations",
                    "zh-hans": "对话",
                    "ms": "Perbualan",
                    "ta": "உரையாடல்கள்",
                },
                "what_happens": {
                    "en": "Engagement sessions, in person and online, where people share what "
                    "they have seen of online harms and what would help."
                },
                "what_you_can_do": {"en": "Come to a session and give feedback afterwards."},
            },
        ),
        PhaseFields(
            start_date=today - timedelta(days=14),
            end_date=ideas_end,
            texts={
                "title": {"en": "Ideas", "zh-hans": "点子", "ms": "Idea", "ta": "யோசனைகள்"},
                "what_happens": {
                    "en": "Participants put forward ideas for initiatives in public education, "
                    "partnerships and regulation; facilitators review each one."
                },
                "what_you_can_do": {
                    "en": "Put forward an idea, support the ones you like, and join an "
                    "initiative as a co-creator."
                },
            },
            actions=frozenset({Action.SUBMIT_IDEAS, Action.CO_CREATE}),
        ),
        PhaseFields(
            start_date=ideas_end + timedelta(days=1),
            end_date=launch - timedelta(days=1),
            texts={
                "title": {
                    "en": "Co-creation",
                    "zh-hans": "共同创建",
                    "ms": "Penciptaan bersama",
                    "ta": "இணைந்து உருவாக்குதல்",
                },
                "what_happens": {
                    "en": "Co-creators draft the initiatives together, section by section."
                },
                "what_you_can_do": {"en": "Join an initiative and help write it."},
            },
            actions=frozenset({Action.CO_CREATE}),
        ),
        PhaseFields(
            start_date=launch,
            end_date=launch + timedelta(days=13),
            texts={
                "title": {"en": "Launch", "zh-hans": "启动", "ms": "Pelancaran", "ta": "தொடக்கம்"},
                "what_happens": {
                    "en": "The Alliance for Action is officially launched with the initiatives "
                    "co-created along the way."
                },
            },
            is_launch=True,
        ),
    ]


def seed(stdout) -> None:
    if Phase.objects.exists():
        return
    today = singapore_day()
    launch = date.fromisoformat(settings.AFA_LAUNCH_DATE)
    if (launch - today).days < MIN_DAYS_TO_LAUNCH:
        # A demo run after (or just before) the configured launch: a launch still to come.
        launch = today + timedelta(days=60)
    for fields in _phases(today, launch):
        phase_create(actor=None, fields=fields)
    stdout.write("Demo process phases: ideas and co-creation open now.")
