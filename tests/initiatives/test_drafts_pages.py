"""The working-draft pages: who sees what, conflicts shown with both texts, safe Markdown on
every page that shows draft text, bad version numbers, and flat query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives import services
from initiatives.models import DraftComment, DraftVersion
from tests.factories import (
    CoCreatorFactory,
    DraftCommentFactory,
    DraftVersionFactory,
    InitiativeFactory,
    UserFactory,
    sgt,
)

pytestmark = pytest.mark.django_db

HOSTILE = (
    "<script>alert('x')</script>\n\n<style>body{}</style>\n\n"
    '<iframe src="https://evil.example"></iframe>\n\n[click](javascript:alert(1))\n\n**bold**'
)


@pytest.fixture
def initiative(organiser):
    return InitiativeFactory(leads=[organiser])


@pytest.fixture
def cocreator(initiative):
    return CoCreatorFactory(initiative=initiative).user


def _url(name, initiative, **kwargs):
    return reverse(f"initiatives:{name}", kwargs={"slug": initiative.slug, **kwargs})


def _assert_safe(html: str) -> None:
    lowered = html.lower()
    assert "<script>alert" not in lowered
    assert "<style>body" not in lowered
    assert "<iframe" not in lowered
    assert 'href="javascript:' not in lowered
    assert "<strong>bold</strong>" in html


# --- Role matrix ------------------------------------------------------------------------


def _pages(initiative):
    return [
        _url("draft", initiative),
        _url("draft_history", initiative),
        _url("draft_compare", initiative) + "?from=1&to=2",
        _url("draft_version", initiative, number=1),
    ]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("participant", 404),
        ("staff", 404),
        ("cocreator", 200),
        ("lead", 200),
        ("organiser", 200),
        ("admin", 200),
    ],
)
def test_role_matrix_for_the_draft_pages(
    client, who, expected, initiative, cocreator, participant, staff, organiser, admin_user
):
    lead = UserFactory()
    initiative.leads.add(lead)
    DraftVersionFactory(initiative=initiative)
    DraftVersionFactory(initiative=initiative)
    users = {
        "participant": participant,
        "staff": staff,
        "cocreator": cocreator,
        "lead": lead,
        "organiser": organiser,
        "admin": admin_user,
    }
    if who != "anonymous":
        client.force_login(users[who])
    for url in _pages(initiative):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("participant", 404), ("cocreator", 403), ("organiser", 302)],
)
def test_role_matrix_for_publish_and_restore(
    client, who, expected, initiative, cocreator, participant, organiser
):
    DraftVersionFactory(initiative=initiative)
    DraftVersionFactory(initiative=initiative)
    users = {"participant": participant, "cocreator": cocreator, "organiser": organiser}
    if who != "anonymous":
        client.force_login(users[who])
    for name in ("draft_publish", "draft_restore"):
        response = client.post(_url(name, initiative, number=1))
        assert response.status_code == expected, name
        if expected == 302 and who != "anonymous":
            assert "login" not in response["Location"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("participant", 404), ("cocreator", 302), ("organiser", 302)],
)
def test_role_matrix_for_saving_and_commenting(
    client, who, expected, initiative, cocreator, participant, organiser
):
    users = {"participant": participant, "cocreator": cocreator, "organiser": organiser}
    if who != "anonymous":
        client.force_login(users[who])
    saved = client.post(_url("draft", initiative), {"base_number": 0, "problem": f"by {who}"})
    commented = client.post(_url("draft_comment", initiative), {"section": "roles", "body": "hi"})
    assert (saved.status_code, commented.status_code) == (expected, expected)
    made = expected == 302 and who != "anonymous"
    assert DraftVersion.objects.exists() is made
    assert DraftComment.objects.exists() is made


def test_comment_delete_role_matrix(client, initiative, cocreator, organiser):
    other = CoCreatorFactory(initiative=initiative).user
    comment = DraftCommentFactory(initiative=initiative, author=cocreator)
    url = _url("draft_comment_delete", initiative, pk=comment.pk)
    client.force_login(other)
    assert client.post(url).status_code == 403
    client.force_login(cocreator)
    assert client.post(url).status_code == 302
    assert not DraftComment.objects.exists()
    theirs = DraftCommentFactory(initiative=initiative, author=other)
    client.force_login(organiser)
    assert client.post(_url("draft_comment_delete", initiative, pk=theirs.pk)).status_code == 302
    assert not DraftComment.objects.exists()


# --- Editing ------------------------------------------------------------------------------


def test_saving_one_section_keeps_the_others(client, initiative, cocreator):
    DraftVersionFactory(initiative=initiative, problem="P", proposal="Q")
    client.force_login(cocreator)
    response = client.post(
        _url("draft", initiative), {"base_number": 1, "roles": "We do this", "note": "roles"}
    )
    assert response.status_code == 302
    latest = DraftVersion.objects.get(initiative=initiative, number=2)
    assert (latest.problem, latest.proposal, latest.roles) == ("P", "Q", "We do this")
    page = client.get(response["Location"])
    assert "Saved as version 2 of the draft." in page.content.decode()


def test_a_conflict_shows_both_texts_a_diff_and_the_new_base_number(client, initiative, cocreator):
    DraftVersionFactory(initiative=initiative, problem="Start")
    DraftVersionFactory(initiative=initiative, problem="Theirs text")
    client.force_login(cocreator)
    response = client.post(_url("draft", initiative), {"base_number": 1, "problem": "Yours text"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone saved version 2 while you were editing" in html
    assert '<pre class="draft-text-plain" data-theirs tabindex="0">Theirs text</pre>' in html
    assert "Yours text</textarea>" in html
    assert 'name="base_number" value="2"' in html
    assert "Removed: </span>Theirs" in html and "Added: </span>Yours" in html
    assert DraftVersion.objects.filter(initiative=initiative).count() == 2
    # Saved again on the new base number, it goes through.
    again = client.post(_url("draft", initiative), {"base_number": 2, "problem": "Merged"})
    assert again.status_code == 302
    assert DraftVersion.objects.get(initiative=initiative, number=3).problem == "Merged"


def test_a_one_megabyte_draft_gets_a_clear_message_and_keeps_the_text(
    client, initiative, cocreator
):
    client.force_login(cocreator)
    text = "a" * 1_000_000
    response = client.post(_url("draft", initiative), {"base_number": 0, "problem": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "a section can be at most 20000" in html and "Nothing was saved" in html
    assert text in html
    assert not DraftVersion.objects.exists()


def test_saving_the_same_text_says_so(client, initiative, cocreator):
    DraftVersionFactory(initiative=initiative, problem="Same")
    client.force_login(cocreator)
    response = client.post(
        _url("draft", initiative), {"base_number": 1, "problem": "Same"}, follow=True
    )
    assert "Nothing changed since version 1" in response.content.decode()
    assert DraftVersion.objects.filter(initiative=initiative).count() == 1


def test_a_comment_that_fails_keeps_its_text(client, initiative, cocreator):
    client.force_login(cocreator)
    body = "z" * 2001
    response = client.post(_url("draft_comment", initiative), {"section": "roles", "body": body})
    assert response.status_code == 400
    assert body in response.content.decode()


# --- Safe Markdown on every page that shows draft text ---------------------------------------


def test_markdown_is_rendered_safely_on_every_page(client, initiative, cocreator, organiser):
    DraftVersionFactory(initiative=initiative, problem="plain")
    version = DraftVersionFactory(initiative=initiative, problem=HOSTILE, proposal=HOSTILE)
    services.draft_publish(initiative=initiative, version=version, by=organiser)
    client.force_login(cocreator)
    for url in (
        _url("draft", initiative),
        _url("draft_version", initiative, number=2),
        initiative.get_absolute_url(),
    ):
        _assert_safe(client.get(url).content.decode())
    compare = client.get(_url("draft_compare", initiative) + "?from=1&to=2").content.decode()
    assert "<script>alert" not in compare and "&lt;script&gt;" in compare


# --- The initiative page ---------------------------------------------------------------------


def test_initiative_page_shows_the_published_version_and_its_date(client, initiative, organiser):
    DraftVersionFactory(initiative=initiative, problem="Working text only")
    published = DraftVersionFactory(initiative=initiative, problem="The **public** text")
    DraftVersionFactory(initiative=initiative, problem="Newer work in progress")
    services.draft_publish(initiative=initiative, version=published, by=organiser)
    html = client.get(initiative.get_absolute_url()).content.decode()
    assert "The <strong>public</strong> text" in html
    assert "Version 2, published on" in html
    assert "Newer work in progress" not in html
    assert "Open the working draft" not in html


def test_co_creators_see_a_link_to_the_working_draft(client, initiative, cocreator):
    client.force_login(cocreator)
    html = client.get(initiative.get_absolute_url()).content.decode()
    assert _url("draft", initiative) in html


# --- History, versions and comparing ---------------------------------------------------------


def test_history_names_authors_anonymous_where_due_in_singapore_time(client, initiative, cocreator):
    hidden = CoCreatorFactory(initiative=initiative, show_name=False).user
    DraftVersionFactory(
        initiative=initiative,
        author=hidden,
        author_anonymous=True,
        created_at=sgt(2021, 3, 8, 14, 5),
    )
    DraftVersionFactory(initiative=initiative, author=None, note="old work")
    client.force_login(cocreator)
    html = client.get(_url("draft_history", initiative)).content.decode()
    assert "Anonymous participant" in html and hidden.display_name not in html
    assert "Former participant" in html and "old work" in html
    assert "8 Mar 2021, 2:05 PM" in html


def test_compare_shows_the_change_per_section(client, initiative, cocreator):
    DraftVersionFactory(initiative=initiative, problem="one two three", roles="same")
    DraftVersionFactory(initiative=initiative, problem="one four three", roles="same")
    client.force_login(cocreator)
    html = client.get(_url("draft_compare", initiative) + "?from=1&to=2").content.decode()
    assert "Removed: </span>two</del>" in html and "Added: </span>four</ins>" in html
    assert "No change in this section." in html


@pytest.mark.parametrize(
    "query", ["", "?from=1", "?from=abc&to=2", "?from=0&to=1", "?from=-1&to=x"]
)
def test_compare_with_bad_numbers_says_what_to_do(client, initiative, cocreator, query):
    DraftVersionFactory(initiative=initiative)
    client.force_login(cocreator)
    response = client.get(_url("draft_compare", initiative) + query)
    assert response.status_code == 400
    assert "Choose two versions to compare" in response.content.decode()


def test_a_version_of_another_initiative_is_a_404_with_a_message(client, initiative, cocreator):
    DraftVersionFactory(initiative=initiative)
    elsewhere = DraftVersionFactory()
    DraftVersionFactory(initiative=elsewhere.initiative)
    client.force_login(cocreator)
    response = client.get(_url("draft_compare", initiative) + "?from=1&to=2")
    assert response.status_code == 404
    assert "This draft has no version 2" in response.content.decode()
    assert client.get(_url("draft_version", initiative, number=2)).status_code == 404
    assert client.get(_url("draft_version", initiative, number=elsewhere.pk + 5)).status_code == 404


def test_organiser_cannot_publish_another_initiatives_version_by_number(
    client, initiative, organiser
):
    other = DraftVersionFactory()
    client.force_login(organiser)
    response = client.post(_url("draft_publish", initiative, number=other.number + 1))
    assert response.status_code == 404
    initiative.refresh_from_db()
    assert initiative.published_version is None


def test_restore_and_publish_from_the_history(client, initiative, organiser):
    DraftVersionFactory(initiative=initiative, problem="Old")
    DraftVersionFactory(initiative=initiative, problem="New")
    client.force_login(organiser)
    client.post(_url("draft_restore", initiative, number=1))
    restored = DraftVersion.objects.get(initiative=initiative, number=3)
    assert restored.problem == "Old" and restored.author == organiser
    response = client.post(_url("draft_publish", initiative, number=3), follow=True)
    assert "Version 3 is now the initiative&#x27;s public text." in response.content.decode()


# --- Query counts ------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_history_queries_do_not_grow_with_versions(client, initiative, cocreator):
    client.force_login(cocreator)
    for _ in range(3):
        DraftVersionFactory(initiative=initiative, author=UserFactory())
    few = _count(client, _url("draft_history", initiative))
    for _ in range(27):
        DraftVersionFactory(initiative=initiative, author=UserFactory(), note="n")
    assert _count(client, _url("draft_history", initiative)) == few


def test_draft_page_queries_do_not_grow_with_comments(client, initiative, cocreator):
    client.force_login(cocreator)
    DraftVersionFactory(initiative=initiative)
    DraftCommentFactory(initiative=initiative)
    few = _count(client, _url("draft", initiative))
    for section in ("problem", "proposal", "roles", "milestones") * 5:
        DraftCommentFactory(initiative=initiative, section=section, author=UserFactory())
    assert _count(client, _url("draft", initiative)) == few


def test_admin_shows_versions_and_the_published_version_read_only(admin_client, initiative):
    version = DraftVersionFactory(initiative=initiative)
    url = f"/admin/initiatives/draftversion/{version.pk}/change/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"problem": "changed"}).status_code == 403
    page = admin_client.get(f"/admin/initiatives/initiative/{initiative.pk}/change/")
    assert 'name="published_version"' not in page.content.decode()
    assert admin_client.get("/admin/initiatives/draftcomment/").status_code == 200
