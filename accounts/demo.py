"""Demo accounts, one per role. Known passwords only when DEBUG is on."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.models import Group

from . import services
from .models import AgeGroup, Background, User
from .roles import Role

DEMO_PASSWORD = "afa-demo-2026"  # noqa: S105 - demo only, printed with DEBUG on
# A fixed secret so `manage.py demo_totp EMAIL` can print the current code: MFA stays real.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105

ACCOUNTS = [
    ("participant@example.com", "Mei Ling (demo participant)", Background.PARENT, None, False),
    (
        "organiser@example.com",
        "Farah (demo organiser)",
        Background.COMMUNITY,
        Role.ORGANISER,
        False,
    ),
    ("staff@example.com", "Raj (demo MCI staff)", Background.GOVERNMENT, Role.STAFF, False),
    ("admin@example.com", "Admin (demo administrator)", Background.GOVERNMENT, None, True),
]


def ensure_demo_user(
    *, email: str, display_name: str, background: str, role: Role | None, superuser: bool
) -> tuple[User, bool]:
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    password = DEMO_PASSWORD if settings.DEBUG else None
    if superuser:
        user = User.objects.create_superuser(email=email, password=password)
    else:
        user = User.objects.create_user(email=email, password=password)
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    services.user_complete_signup(
        user=user,
        display_name=display_name,
        background=background,
        organisation="",
        age_group=AgeGroup.ADULT,
        guardian_consent=False,
        pdpa_consent=True,
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    if role in (Role.ORGANISER, Role.STAFF) or superuser:
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)
    return user, True


def seed(stdout) -> None:
    for email, display_name, background, role, superuser in ACCOUNTS:
        _, created = ensure_demo_user(
            email=email,
            display_name=display_name,
            background=background,
            role=role,
            superuser=superuser,
        )
        mfa = Authenticator.objects.filter(user__email=email, type="totp").exists()
        line = f"{'Created' if created else 'Kept'} demo account {email}"
        if settings.DEBUG:
            line += f" / password {DEMO_PASSWORD}"
            if mfa:
                line += f" (two-factor code: manage.py demo_totp {email})"
        stdout.write(line)
    if not settings.DEBUG:
        stdout.write("DEBUG is off: demo accounts have no password; reset one to use it.")
