"""Ideas and comments record the language they were written in (issue 14, item 5): the page
language by default, changeable on the form, refused when it is not one of ours; pages mark
the text with it (lang, in its BCP 47 form); the personal-data check finds details inside
Chinese, Malay and Tamil text; a mixed-language search answers without a crash."""

import re
import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from harms.languages import language_tag
from harms.models import HarmCategory, SolutionArea
from initiatives import selectors, services
from initiatives.models import Comment, CommentStatus, Idea, IdeaStatus
from initiatives.services import IdeaError, IdeaFields
from tests.factories import CommentFactory, IdeaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_language_stays_in_its_test():
    """A request in Malay or Tamil leaves that language active in this thread; the next
    test (one that builds headings outside a request, say) must start in English again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


CHINESE_TITLE = "为年长的家长开设华语讲座"
CHINESE_BODY = "社区里很多家长只看华文，不知道孩子在网上被骚扰时可以向谁求助。"
TAMIL_BODY = "பாதிக்கப்பட்ட பலருக்குத் தங்கள் உரிமைகள் என்ன என்று தெரியவில்லை."
MALAY_BODY = "Ramai remaja perempuan tidak tahu cara melaporkan gambar yang dikongsi."


def _form(**overrides) -> dict:
    data = {
        "title": "Consent lessons in every secondary school",
        "body": "Teach what image-based abuse is and how to get help.",
        "harm_category": HarmCategory.objects.get(slug="image-based-sexual-abuse").pk,
        "solution_area": SolutionArea.objects.get(name="Public education").pk,
        "submission_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _fields(**overrides) -> IdeaFields:
    values = {
        "title": "A title",
        "body": "A body",
        "harm_category": HarmCategory.objects.get(slug="image-based-sexual-abuse"),
        "solution_area": SolutionArea.objects.get(name="Public education"),
        "session": None,
        "is_anonymous": False,
        "has_content_warning": False,
        "content_warning_note": "",
    }
    values.update(overrides)
    return IdeaFields(**values)


def _selected_language(page: str) -> str:
    select = re.search(r'<select name="language".*?</select>', page, re.S).group(0)
    return re.search(r'<option value="([^"]+)"[^>]*selected', select).group(1)


def _in_language(user, code: str):
    user.preferred_language = code
    user.save(update_fields=["preferred_language"])
    return user


# --- The tag ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "tag"), [("en", "en"), ("zh-hans", "zh-Hans"), ("ms", "ms"), ("ta", "ta")]
)
def test_a_language_code_becomes_its_bcp47_tag(code, tag):
    assert language_tag(code) == tag


def test_existing_ideas_and_comments_are_english():
    assert IdeaFactory().language == "en"
    assert CommentFactory().language == "en"


# --- The idea form ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["en", "zh-hans", "ms", "ta"])
def test_idea_form_proposes_the_page_language(client, participant, code):
    client.force_login(_in_language(participant, code))
    page = client.get(reverse("initiatives:idea_create")).content.decode()
    assert _selected_language(page) == code


def test_each_language_on_the_form_is_named_in_itself_with_its_own_lang(client, participant):
    client.force_login(_in_language(participant, "ta"))
    page = client.get(reverse("initiatives:idea_create")).content.decode()
    assert '<option value="zh-hans" lang="zh-Hans">简体中文</option>' in page
    assert '<option value="ms" lang="ms">Bahasa Melayu</option>' in page
    assert '<option value="en" lang="en">English</option>' in page
    assert '<option value="ta" selected lang="ta">தமிழ்</option>' in page


def test_idea_is_recorded_in_the_language_chosen_not_the_page_language(client, participant):
    client.force_login(participant)  # the page is in English
    response = client.post(
        reverse("initiatives:idea_create"),
        _form(title=CHINESE_TITLE, body=CHINESE_BODY, language="zh-hans"),
    )
    assert response.status_code == 302
    assert Idea.objects.get().language == "zh-hans"


def test_idea_posted_without_a_language_takes_the_page_language(client, participant):
    client.force_login(_in_language(participant, "ms"))
    response = client.post(reverse("initiatives:idea_create"), _form(body=MALAY_BODY))
    assert response.status_code == 302
    assert Idea.objects.get().language == "ms"


@pytest.mark.parametrize("code", ["xx", "zh", "ZH-HANS", "en-gb", "<script>"])
def test_unknown_language_on_the_idea_form_is_refused_beside_the_field(client, participant, code):
    client.force_login(participant)
    response = client.post(reverse("initiatives:idea_create"), _form(language=code))
    page = response.content.decode()
    assert not Idea.objects.exists()
    assert "Choose one of the languages listed." in page
    assert 'href="#id_language"' in page  # the error summary links to the field
    assert 'aria-invalid="true"' in re.search(r'<select name="language"[^>]*>', page).group(0)


def test_editing_an_idea_shows_and_changes_its_language(client, participant):
    idea = IdeaFactory(author=participant, status=IdeaStatus.DRAFT, language="ta")
    client.force_login(participant)
    url = reverse("initiatives:idea_edit", kwargs={"pk": idea.pk})
    assert _selected_language(client.get(url).content.decode()) == "ta"
    client.post(url, _form(title=idea.title, body=MALAY_BODY, language="ms", save_draft="1"))
    idea.refresh_from_db()
    assert (idea.language, idea.body) == ("ms", MALAY_BODY)


def test_the_service_refuses_a_language_that_is_not_ours(participant):
    with pytest.raises(IdeaError, match="Choose one of the languages listed."):
        services.idea_create(
            author=participant,
            fields=_fields(language="fr"),
            submit=True,
            submission_token=uuid.uuid4(),
        )
    assert not Idea.objects.exists()


# --- Comments --------------------------------------------------------------------------


def test_comment_form_proposes_the_page_language_and_records_the_choice(client, participant):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    client.force_login(_in_language(participant, "zh-hans"))
    page = client.get(idea.get_absolute_url()).content.decode()
    assert _selected_language(page) == "zh-hans"
    url = reverse("initiatives:idea_comment", kwargs={"pk": idea.pk})
    client.post(url, {"body": "Setuju, saya sokong.", "language": "ms"})
    assert Comment.objects.get().language == "ms"


def test_comment_without_a_language_takes_the_page_language(client, participant):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    client.force_login(_in_language(participant, "ta"))
    client.post(reverse("initiatives:idea_comment", kwargs={"pk": idea.pk}), {"body": TAMIL_BODY})
    assert Comment.objects.get().language == "ta"


def test_unknown_language_on_the_comment_form_is_refused(client, participant):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    client.force_login(participant)
    response = client.post(
        reverse("initiatives:idea_comment", kwargs={"pk": idea.pk}),
        {"body": "Agreed.", "language": "klingon"},
    )
    assert "Choose one of the languages listed." in response.content.decode()
    assert not Comment.objects.exists()


def test_comment_service_refuses_a_language_that_is_not_ours(participant):
    idea = IdeaFactory(status=IdeaStatus.APPROVED)
    with pytest.raises(IdeaError):
        services.comment_create(
            idea=idea, author=participant, body="Agreed.", is_anonymous=False, language="de"
        )


# --- The lang attribute in the pages ---------------------------------------------------


def test_idea_page_marks_the_idea_and_each_comment_with_its_language(client):
    idea = IdeaFactory(
        status=IdeaStatus.APPROVED, title=CHINESE_TITLE, body=CHINESE_BODY, language="zh-hans"
    )
    CommentFactory(idea=idea, body=TAMIL_BODY, language="ta")
    CommentFactory(idea=idea, body="Well said.", language="en")
    page = client.get(idea.get_absolute_url()).content.decode()
    assert f'<h1 class="h2" id="idea-title" lang="zh-Hans">{CHINESE_TITLE}</h1>' in page
    assert f'<div class="user-text" lang="zh-Hans">{CHINESE_BODY}</div>' in page
    assert f'<div class="user-text" lang="ta">{TAMIL_BODY}</div>' in page
    assert '<div class="user-text" lang="en">Well said.</div>' in page
    # The page itself stays in the reader's language.
    assert '<html lang="en">' in page


def test_board_cards_mark_title_and_text_with_their_language(client):
    IdeaFactory(status=IdeaStatus.APPROVED, title="Panduan ringkas", body=MALAY_BODY, language="ms")
    page = client.get(reverse("initiatives:idea_board")).content.decode()
    assert 'lang="ms">Panduan ringkas</a>' in page
    assert f'<div class="user-text" lang="ms">{MALAY_BODY}</div>' in page


def test_content_warning_text_is_read_in_the_language_of_the_idea(client):
    idea = IdeaFactory(
        status=IdeaStatus.APPROVED,
        body=CHINESE_BODY,
        language="zh-hans",
        has_content_warning=True,
        content_warning_note="提到骚扰",
    )
    page = client.get(idea.get_absolute_url()).content.decode()
    assert '<span lang="zh-Hans">提到骚扰</span>' in page
    assert f'<div class="user-text mt-3" lang="zh-Hans">{CHINESE_BODY}</div>' in page


def test_moderation_pages_mark_what_people_wrote_with_its_language(client, organiser):
    idea = IdeaFactory(status=IdeaStatus.SUBMITTED, title="Bantuan undang-undang", language="ms")
    published = IdeaFactory(status=IdeaStatus.APPROVED, title=CHINESE_TITLE, language="zh-hans")
    CommentFactory(idea=published, body=TAMIL_BODY, language="ta", status=CommentStatus.PENDING)
    client.force_login(organiser)
    queue = client.get(reverse("initiatives:moderation_queue")).content.decode()
    assert 'lang="ms">Bantuan undang-undang</a>' in queue
    assert f'lang="zh-Hans">{CHINESE_TITLE}</a>' in queue
    assert f'<div class="user-text" lang="ta">{TAMIL_BODY}</div>' in queue
    detail = client.get(reverse("initiatives:moderation_idea", kwargs={"pk": idea.pk}))
    assert '<h1 class="h2" lang="ms">Bantuan undang-undang</h1>' in detail.content.decode()


def test_my_ideas_marks_each_title_with_its_language(client, participant):
    IdeaFactory(author=participant, title=CHINESE_TITLE, language="zh-hans")
    client.force_login(participant)
    page = client.get(reverse("initiatives:my_ideas")).content.decode()
    assert f'lang="zh-Hans">{CHINESE_TITLE}</a>' in page


# --- The personal-data check in every language -----------------------------------------


@pytest.mark.parametrize(
    ("language", "body", "kinds"),
    [
        ("zh-hans", "我的电话是 9123 4567，请联系我。", ["phone"]),
        ("ms", "Hubungi nombor saya 91234567 atau emel nur@example.com", ["phone", "email"]),
        ("ta", "என் அடையாள அட்டை S1234567D, தயவுசெய்து உதவுங்கள்", ["nric"]),
        ("en", "她说 call me at +65 9123 4567 terima kasih நன்றி", ["phone"]),
    ],
)
def test_the_privacy_check_finds_details_inside_each_language(participant, language, body, kinds):
    idea, _created = services.idea_create(
        author=participant,
        fields=_fields(body=body, language=language),
        submit=True,
        submission_token=uuid.uuid4(),
    )
    assert idea.personal_data_kinds == kinds
    comment = services.comment_create(
        idea=IdeaFactory(status=IdeaStatus.APPROVED),
        author=participant,
        body=body,
        is_anonymous=False,
        language=language,
    )
    assert comment.personal_data_kinds == kinds


def test_idea_form_warns_about_a_phone_number_in_chinese_text(client, participant):
    client.force_login(_in_language(participant, "zh-hans"))
    data = _form(title=CHINESE_TITLE, body="我的电话是91234567，请联系我")
    response = client.post(reverse("initiatives:idea_create"), data)
    assert not Idea.objects.exists()
    assert "91234567" in response.content.decode()  # named in the warning beside the field
    client.post(reverse("initiatives:idea_create"), {**data, "confirm_personal_data": "on"})
    idea = Idea.objects.get()
    assert (idea.language, idea.personal_data_kinds) == ("zh-hans", ["phone"])


# --- Search without PostgreSQL ---------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["华语", "网络 harassment", "lapor%_", "தமிழில் 'legal' \\", '"unclosed', "-", "&|!"]
)
def test_a_mixed_language_search_answers_without_a_crash(client, query):
    IdeaFactory(status=IdeaStatus.APPROVED, title=CHINESE_TITLE, language="zh-hans")
    IdeaFactory(status=IdeaStatus.APPROVED, body=TAMIL_BODY, language="ta")
    response = client.get(reverse("initiatives:idea_board"), {"q": query})
    assert response.status_code == 200
    list(selectors.board_ideas(query=query))
