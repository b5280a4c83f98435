import time

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Background, PersonalDataArchive, User
from accounts.roles import Role

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    background = Background.PARENT
    pdpa_consent_version = settings.PDPA_NOTICE_VERSION
    pdpa_consented_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if not create:
            return
        names = [Role.PARTICIPANT, *(extracted or [])]
        obj.groups.add(*Group.objects.filter(name__in=names))

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        """mfa=True enrols a TOTP authenticator; the secret is kept on obj.totp_secret."""
        if create and extracted:
            obj.totp_secret = generate_totp_secret()
            TOTP.activate(obj, obj.totp_secret)


TOTP_PERIOD = 30


def current_totp_code(secret: str) -> str:
    """A code that stays valid for the next few seconds: near the end of a 30-second window,
    wait for the next one rather than type a code the server may already reject."""
    if TOTP_PERIOD - time.time() % TOTP_PERIOD < 3:
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD))


class PersonalDataArchiveFactory(factory.django.DjangoModelFactory):
    """A queued "Download my data" job, asked for by a participant."""

    class Meta:
        model = PersonalDataArchive

    requested_by = factory.SubFactory(UserFactory)
