"""The author of an anonymous idea who joins the initiative it was merged into is listed as
"Anonymous participant" among the co-creators, unless they choose to be named there; other
co-creators are listed by name as before."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from initiatives import services
from initiatives.models import CoCreator, IdeaStatus
from tests.factories import CoCreatorFactory, IdeaFactory, InitiativeFactory, UserFactory

ANONYMOUS = "Anonymous participant"


@pytest.fixture
def initiative(db):
    return InitiativeFactory(title="Safer schools")


@pytest.fixture
def anonymous_author(initiative):
    author = UserFactory(display_name="Nur Hidayah")
    IdeaFactory(author=author, is_anonymous=True, status=IdeaStatus.MERGED, merged_into=initiative)
    return author


def _cocreator_list(client, initiative) -> str:
    page = client.get(initiative.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    return html[
        html.index('id="join-heading"') : html.index("</ul>", html.index('id="join-heading"'))
    ]


@pytest.mark.django_db
def test_an_anonymous_authors_joining_lists_them_as_anonymous_participant(
    client, initiative, anonymous_author, other_participant
):
    joined = services.cocreator_join(initiative=initiative, user=anonymous_author, role="volunteer")
    assert joined.show_name is False

    listed = _cocreator_list(client, initiative)  # a visitor
    assert ANONYMOUS in listed and "Nur Hidayah" not in listed
    client.force_login(other_participant)
    listed = _cocreator_list(client, initiative)
    assert ANONYMOUS in listed and "Nur Hidayah" not in listed


@pytest.mark.django_db
def test_organisers_and_the_author_still_see_who_it_is(
    client, initiative, anonymous_author, organiser
):
    services.cocreator_join(initiative=initiative, user=anonymous_author, role="volunteer")
    for viewer in (organiser, anonymous_author):
        client.force_login(viewer)
        assert "Nur Hidayah (anonymous to others)" in _cocreator_list(client, initiative)


@pytest.mark.django_db
def test_choosing_to_be_named_on_the_page_shows_the_name(client, initiative, anonymous_author):
    client.force_login(anonymous_author)
    form_page = client.get(initiative.get_absolute_url()).content.decode()
    assert "Show my name in the list of co-creators" in form_page

    response = client.post(
        f"/initiatives/{initiative.slug}/join/", {"role": "volunteer", "show_name": "on"}
    )
    assert response.status_code == 302
    assert CoCreator.objects.get(user=anonymous_author).show_name is True
    client.logout()
    listed = _cocreator_list(client, initiative)
    assert "Nur Hidayah" in listed and ANONYMOUS not in listed

    # Changing the role later without the box ticked makes them anonymous again.
    client.force_login(anonymous_author)
    client.post(f"/initiatives/{initiative.slug}/join/", {"role": "expert"})
    assert CoCreator.objects.get(user=anonymous_author).show_name is False


@pytest.mark.django_db
def test_joining_through_the_page_without_choosing_stays_anonymous(
    client, initiative, anonymous_author
):
    client.force_login(anonymous_author)
    response = client.post(f"/initiatives/{initiative.slug}/join/", {"role": "partner"})
    assert response.status_code == 302
    client.logout()
    assert ANONYMOUS in _cocreator_list(client, initiative)


@pytest.mark.django_db
def test_other_cocreators_are_named_and_offered_no_choice(
    client, initiative, anonymous_author, participant
):
    named_author = UserFactory(display_name="Ravi Menon")
    IdeaFactory(author=named_author, status=IdeaStatus.MERGED, merged_into=initiative)
    # An anonymous idea elsewhere does not make someone anonymous here.
    elsewhere = UserFactory(display_name="Mei Ling")
    IdeaFactory(
        author=elsewhere,
        is_anonymous=True,
        status=IdeaStatus.MERGED,
        merged_into=InitiativeFactory(),
    )
    services.cocreator_join(initiative=initiative, user=anonymous_author, role="volunteer")
    for person in (named_author, elsewhere):
        assert services.cocreator_join(initiative=initiative, user=person, role="expert").show_name

    listed = _cocreator_list(client, initiative)
    assert "Ravi Menon" in listed and "Mei Ling" in listed
    assert listed.count(ANONYMOUS) == 1

    client.force_login(participant)
    assert (
        "Show my name in the list" not in client.get(initiative.get_absolute_url()).content.decode()
    )
    client.post(f"/initiatives/{initiative.slug}/join/", {"role": "volunteer", "show_name": "off"})
    assert CoCreator.objects.get(user=participant).show_name is True


BEFORE = [("initiatives", "0006_personal_data_kinds_as_json_lists")]
AFTER = [("initiatives", "0007_cocreator_show_name")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_unnames_anonymous_authors_already_listed():
    author, other = UserFactory(), UserFactory()
    initiative = InitiativeFactory()
    IdeaFactory(author=author, is_anonymous=True, status=IdeaStatus.MERGED, merged_into=initiative)
    CoCreatorFactory(initiative=initiative, user=author)
    CoCreatorFactory(initiative=initiative, user=other)
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert dict(CoCreator.objects.values_list("user_id", "show_name")) == {
        author.pk: False,
        other.pk: True,
    }
