"""Invitations under concurrency, on PostgreSQL with real threads: two imports of the same
people to one session add each person once and report the rest as already invited; two
email senders running at once send each invitation once; two accounts racing on one link end
with one of them holding it."""

import pytest
from django.core import mail

from engagement import services
from engagement.models import Invitation, Registration, SessionAccess
from tests.factories import EngagementSessionFactory, UserFactory
from tests.factories.engagement import InvitationFactory
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_imports_of_the_same_people_at_once_invite_each_once():
    session = EngagementSessionFactory(access=SessionAccess.INVITATION)
    organiser = UserFactory()
    invitees = [services.Invitee(row=n + 2, email=f"p{n}@example.org") for n in range(60)]

    def add():
        return services.invitations_add(
            session=session, organiser=organiser, invitees=invitees, language="en"
        )

    results, errors = run_at_once([add, add, add])
    assert errors == []
    assert Invitation.objects.filter(session=session).count() == 60
    assert sum(report.added for report in results) == 60
    assert sum(len(report.problems) for report in results) == 120


def test_senders_running_at_once_send_each_invitation_once():
    session = EngagementSessionFactory(access=SessionAccess.INVITATION)
    InvitationFactory.create_batch(20, session=session)
    ids = services.invitations_due_ids()

    def send():
        return sum(services.invitation_email_send(invitation_id=pk) for pk in ids)

    results, errors = run_at_once([send, send, send])
    assert errors == []
    assert sum(results) == 20
    assert len(mail.outbox) == 20
    assert set(Invitation.objects.values_list("send_count", flat=True)) == {1}


def test_two_accounts_racing_on_one_link_leave_it_with_one():
    session = EngagementSessionFactory(access=SessionAccess.INVITATION)
    invitation = InvitationFactory(session=session)
    people = UserFactory.create_batch(2)

    def accept(person):
        return lambda: services.invitation_accept(invitation=invitation, participant=person)

    results, errors = run_at_once(
        [accept(person) for person in people], refusals=(services.EngagementError,)
    )
    assert errors == []
    assert Registration.objects.filter(session=session).count() == 1
    invitation.refresh_from_db()
    assert Registration.objects.get(session=session).participant_id == invitation.user_id
