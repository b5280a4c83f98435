import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.models import AgeGroup, User
from accounts.roles import Role


def signup_data(**overrides):
    data = {
        "email": "mei@example.com",
        "display_name": "Mei",
        "background": "parent",
        "organisation": "",
        "age_group": AgeGroup.ADULT,
        "pdpa_consent": "on",
        "password1": "kopi-siew-dai-2026",
        "password2": "kopi-siew-dai-2026",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.django_db
def test_signup_without_privacy_consent_is_refused_on_the_field(client):
    response = client.post(reverse("account_signup"), signup_data(pdpa_consent=None))
    assert response.status_code == 200
    assert "pdpa_consent" in response.context["form"].errors
    assert "You need to agree to the privacy notice" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_under_18_without_guardian_consent_is_refused(client):
    response = client.post(
        reverse("account_signup"), signup_data(age_group=AgeGroup.MINOR_WITH_CONSENT)
    )
    assert response.status_code == 200
    assert "guardian_consent" in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.django_db
def test_under_18_with_guardian_consent_may_sign_up(client):
    client.post(
        reverse("account_signup"),
        signup_data(age_group=AgeGroup.MINOR_WITH_CONSENT, guardian_consent="on"),
    )
    user = User.objects.get()
    assert user.age_group == AgeGroup.MINOR_WITH_CONSENT
    assert user.guardian_consent is True


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["not-an-email", "mei@", ""])
def test_bad_email_is_refused_on_the_field(client, email):
    response = client.post(reverse("account_signup"), signup_data(email=email))
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("display_name", "x" * 61), ("organisation", "y" * 121), ("background", "hacker")],
)
def test_oversized_or_invalid_details_are_refused_on_the_field(client, field, value):
    response = client.post(reverse("account_signup"), signup_data(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_verify_and_login_end_to_end(
    client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from accounts import adapter

    enqueued = []
    original = adapter.send_email.delay_on_commit
    monkeypatch.setattr(
        adapter.send_email,
        "delay_on_commit",
        lambda **kwargs: enqueued.append(kwargs) or original(**kwargs),
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), signup_data())
    assert response.status_code == 302

    user = User.objects.get(email="mei@example.com")
    assert user.pdpa_consent_version == settings.PDPA_NOTICE_VERSION
    assert user.pdpa_consented_at is not None
    assert list(user.groups.values_list("name", flat=True)) == [Role.PARTICIPANT]

    # The verification email went through the Celery task, not straight from the request.
    assert len(enqueued) == 1
    assert enqueued[0]["to"] == ["mei@example.com"]
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    # The site's own words name the platform, not an empty name or a host.
    assert "Thank you for signing up to the AfA Platform" in body
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", body).group(0)

    # Not verified yet: logging in is refused and sends the person to verification.
    login = client.post(
        reverse("account_login"), {"login": "mei@example.com", "password": "kopi-siew-dai-2026"}
    )
    assert login.status_code == 302
    assert "confirm-email" in login["Location"] or "verification" in login["Location"]
    assert "_auth_user_id" not in client.session

    path = link.split("://", 1)[1].split("/", 1)[1]
    confirm_page = client.get("/" + path)
    assert confirm_page.status_code == 200
    client.post("/" + path)
    assert user.emailaddress_set.get().verified

    login = client.post(
        reverse("account_login"), {"login": "mei@example.com", "password": "kopi-siew-dai-2026"}
    )
    assert login.status_code == 302
    profile = client.get(reverse("accounts:profile"))
    assert profile.status_code == 200
    page = profile.content.decode()
    assert "Mei" in page
    assert str(Role.PARTICIPANT.label) in page


@pytest.mark.django_db
def test_every_new_account_becomes_a_participant(client):
    client.post(reverse("account_signup"), signup_data())
    assert (
        Group.objects.get(name=Role.PARTICIPANT).user_set.filter(email="mei@example.com").exists()
    )


@pytest.mark.django_db
def test_profile_edit_saves_details_and_refuses_bad_values(client, participant):
    client.force_login(participant)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "", "background": "parent", "organisation": ""},
    )
    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors

    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Pat P.", "background": "academic", "organisation": "NUS"},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.display_name, participant.background, participant.organisation) == (
        "Pat P.",
        "academic",
        "NUS",
    )


@pytest.mark.django_db
def test_login_is_locked_after_repeated_failures_even_with_the_right_password(client, participant):
    from tests.factories import PASSWORD

    for _ in range(5):
        client.post(reverse("account_login"), {"login": participant.email, "password": "wrong"})
    response = client.post(
        reverse("account_login"), {"login": participant.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_email_is_sent(client, participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": participant.email})
    assert len(mail.outbox) == 1
    assert "password" in mail.outbox[0].subject.lower()
    assert "Hello from AfA Platform!" in mail.outbox[0].body
    assert "Thank you for using AfA Platform!" in mail.outbox[0].body


@pytest.mark.django_db
def test_pages_that_say_to_contact_us_say_how(client, participant, settings):
    settings.SUPPORT_EMAIL = "help@afa.example.sg"
    pages = [client.get(reverse("account_reset_password"))]
    pages.append(
        client.post(reverse("account_reset_password"), {"email": participant.email}, follow=True)
    )
    pages.append(client.get(reverse("account_email_verification_sent")))
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert 'href="mailto:help@afa.example.sg"' in html
        assert "contact us" not in html.lower()
