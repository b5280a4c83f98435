import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import User


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
