import pytest
from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.permissions import SECOND_FACTOR_ATTR, role_required
from accounts.roles import Role

CAST = ["anonymous", "participant", "organiser", "staff", "admin_user"]

# URL -> expected status for each member of the cast (302 = sent to sign in).
MATRIX = {
    "/": dict.fromkeys(CAST, 200),
    "/privacy/": dict.fromkeys(CAST, 200),
    "/support/": dict.fromkeys(CAST, 200),
    "/harms/": dict.fromkeys(CAST, 200),
    "/harms/doxxing/": dict.fromkeys(CAST, 200),
    "/harms/no-such-harm/": dict.fromkeys(CAST, 404),
    "/healthz": dict.fromkeys(CAST, 200),
    "/accounts/profile/": {**dict.fromkeys(CAST, 200), "anonymous": 302},
    "/accounts/email/": {**dict.fromkeys(CAST, 200), "anonymous": 302},
    "/accounts/password/change/": {**dict.fromkeys(CAST, 200), "anonymous": 302},
    "/accounts/2fa/": {**dict.fromkeys(CAST, 200), "anonymous": 302},
    # Django's admin sends everyone without staff status to its login page, which goes
    # through allauth and refuses signed-in people who are not administrators.
    "/admin/": {**dict.fromkeys(CAST, 302), "admin_user": 200},
    "/admin/login/": {**dict.fromkeys(CAST, 403), "anonymous": 302, "admin_user": 302},
    "/admin/accounts/user/": {**dict.fromkeys(CAST, 302), "admin_user": 200},
}


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(MATRIX))
@pytest.mark.parametrize("who", CAST)
def test_role_matrix(client, request, url, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(url)
    assert response.status_code == MATRIX[url][who], (url, who)


@pytest.mark.django_db
def test_roles_exist_as_groups_with_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert {Role.PARTICIPANT, Role.ORGANISER, Role.STAFF} <= names
    organiser = Group.objects.get(name=Role.ORGANISER)
    assert organiser.permissions.filter(codename="view_harmcategory").exists()


def _organiser_area(request):
    return HttpResponse("the organiser area")


@pytest.mark.django_db
def test_organiser_without_mfa_is_sent_to_set_it_up(organiser_without_mfa):
    view = role_required(Role.ORGANISER)(_organiser_area)
    request = RequestFactory().get("/organise/")
    request.user = organiser_without_mfa
    request.session = {}
    request._messages = _Messages()
    response = view(request)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_organiser_with_mfa_gets_in(organiser):
    view = role_required(Role.ORGANISER)(_organiser_area)
    request = RequestFactory().get("/organise/")
    setattr(organiser, SECOND_FACTOR_ATTR, True)  # what SecondFactorMiddleware marks
    request.user = organiser
    assert view(request).content == b"the organiser area"


@pytest.mark.django_db
def test_organiser_with_mfa_but_a_password_only_session_is_asked_for_a_code(client, organiser):
    client.force_login(organiser, second_factor=False)
    response = client.get(reverse("engagement:console"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate") + "?next=")


@pytest.mark.django_db
def test_participant_is_refused_an_organiser_area(participant):
    from django.core.exceptions import PermissionDenied

    view = role_required(Role.ORGANISER)(_organiser_area)
    request = RequestFactory().get("/organise/")
    request.user = participant
    with pytest.raises(PermissionDenied):
        view(request)


@pytest.mark.django_db
def test_administrator_without_mfa_is_sent_from_the_admin_to_mfa_setup(client):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_login_of_a_user_with_mfa_asks_for_the_code(client, organiser):
    from tests.factories import PASSWORD, current_totp_code

    response = client.post(
        reverse("account_login"), {"login": organiser.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    code = current_totp_code(organiser.totp_secret)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(organiser.pk)


@pytest.mark.django_db
def test_profile_shows_the_users_role(client, organiser):
    client.force_login(organiser)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert str(Role.ORGANISER.label) in page
    assert str(Role.PARTICIPANT.label) in page


@pytest.mark.django_db
def test_navigation_shows_administration_only_to_administrators(client, participant, admin_user):
    client.force_login(participant)
    assert "Administration" not in client.get("/").content.decode()
    client.force_login(admin_user)
    assert "Administration" in client.get("/").content.decode()


class _Messages:
    def __init__(self):
        self.messages = []

    def add(self, level, message, extra_tags=""):
        self.messages.append(message)
