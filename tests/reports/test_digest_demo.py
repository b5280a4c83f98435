import pytest
from django.core.management import call_command

from feedback.models import Feedback, QuoteStatus
from reports.models import Digest, DigestStatus


@pytest.mark.django_db
def test_demo_has_2021_session_feedback_quotes_and_a_compiled_digest(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    session_feedback = Feedback.objects.filter(session__starts_at__year=2021)
    assert session_feedback.count() == 12
    # Three in English, and one each in Chinese, Malay and Tamil (issue 14).
    assert Feedback.objects.filter(session__isnull=True).count() == 6
    digest = Digest.objects.get()
    assert digest.status == DigestStatus.READY
    assert digest.figures["sessions"]["held"] == 2
    assert digest.figures["feedback"]["total"] == 12
    approved = session_feedback.filter(quote_status=QuoteStatus.APPROVED)
    assert len(digest.figures["quotes"]) == approved.count() == 3
    assert all(quote["excerpt"] in digest.html for quote in digest.figures["quotes"])
