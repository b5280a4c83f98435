"""Feedback records the language it was written in (issue 14, item 5): the page language by
default, changeable on the form, refused when not one of ours; its pages mark the text with
it; the personal-data check finds details inside Chinese, Malay and Tamil text."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from feedback import services
from feedback.models import Feedback
from harms.models import HarmCategory
from tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_language_stays_in_its_test():
    """A request in Malay or Tamil leaves that language active in this thread; the next
    test (one that builds headings outside a request, say) must start in English again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


MALAY = "Kawan saya tidak tahu ke mana hendak mengadu apabila gambarnya dikongsi."
CHINESE = "我们社区有些年轻女性在社交媒体上收到陌生人的骚扰信息。"
TAMIL = "இணையத்தில் பின்தொடரப்படும் பெண்கள் புகார் செய்யத் தயங்குகிறார்கள்."


def _form_data(**overrides):
    data = {
        "harm_categories": [HarmCategory.objects.get(slug="doxxing").pk],
        "experience": "I saw a photo shared without consent.",
        "suggestion_regulation": "Make platforms respond within a day.",
        "share_anonymously": "on",
    }
    data.update(overrides)
    return data


def _selected_language(page: str) -> str:
    select = re.search(r'<select name="language".*?</select>', page, re.S).group(0)
    return re.search(r'<option value="([^"]+)"[^>]*selected', select).group(1)


def _in_language(user, code: str):
    user.preferred_language = code
    user.save(update_fields=["preferred_language"])
    return user


def _details(**overrides) -> services.FeedbackDetails:
    values = {"harm_categories": [HarmCategory.objects.get(slug="doxxing")], "experience": "x"}
    values.update(overrides)
    return services.FeedbackDetails(**values)


def test_existing_feedback_is_english():
    assert FeedbackFactory().language == "en"


@pytest.mark.parametrize("code", ["en", "zh-hans", "ms", "ta"])
def test_feedback_form_proposes_the_page_language(client, participant, code):
    client.force_login(_in_language(participant, code))
    page = client.get(reverse("feedback:new")).content.decode()
    assert _selected_language(page) == code
    assert re.search(r'<option value="zh-hans"( selected)? lang="zh-Hans">简体中文</option>', page)


def test_feedback_is_recorded_in_the_language_chosen(client, participant):
    client.force_login(participant)  # an English page
    response = client.post(reverse("feedback:new"), _form_data(experience=TAMIL, language="ta"))
    assert response.status_code == 302
    assert Feedback.objects.get().language == "ta"


def test_feedback_posted_without_a_language_takes_the_page_language(client, participant):
    client.force_login(_in_language(participant, "zh-hans"))
    client.post(reverse("feedback:new"), _form_data(experience=CHINESE))
    assert Feedback.objects.get().language == "zh-hans"


@pytest.mark.parametrize("code", ["xx", "zh-Hant", "", "ms "])
def test_unknown_language_on_the_feedback_form_is_refused_beside_the_field(
    client, participant, code
):
    client.force_login(participant)
    response = client.post(reverse("feedback:new"), _form_data(language=code))
    if code == "":
        # An empty choice is a form from before the field: the page language.
        assert Feedback.objects.get().language == "en"
        return
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose one of the languages listed." in page
    assert 'href="#id_language"' in page
    assert not Feedback.objects.exists()


def test_editing_feedback_shows_and_changes_its_language(client, participant):
    feedback = services.feedback_create(
        participant=participant, details=_details(experience=MALAY, language="ms")
    )
    client.force_login(_in_language(participant, "en"))
    url = reverse("feedback:edit", args=[feedback.pk])
    assert _selected_language(client.get(url).content.decode()) == "ms"
    client.post(url, _form_data(experience=CHINESE, language="zh-hans"))
    feedback.refresh_from_db()
    assert (feedback.language, feedback.experience) == ("zh-hans", CHINESE)


def test_the_service_refuses_a_language_that_is_not_ours(participant):
    with pytest.raises(services.FeedbackError, match="Choose one of the languages listed."):
        services.feedback_create(participant=participant, details=_details(language="fr"))
    assert not Feedback.objects.exists()


def test_feedback_pages_mark_the_text_with_its_language(client, participant, organiser, staff):
    feedback = FeedbackFactory(
        participant=participant,
        experience=MALAY,
        language="ms",
        suggestions={"regulation": "Platform mesti bertindak segera."},
        quote_status="pending",
        quote_consent=True,
    )
    client.force_login(participant)
    own = client.get(feedback.get_absolute_url()).content.decode()
    assert f'<div class="user-text" lang="ms"><p>{MALAY}</p></div>' in own
    assert '<div class="user-text" lang="ms"><p>Platform mesti bertindak segera.</p></div>' in own
    client.force_login(organiser)
    review = client.get(reverse("feedback:quote_review", args=[feedback.pk])).content.decode()
    assert f'<div class="user-text" lang="ms"><p>{MALAY}</p></div>' in review


def test_an_approved_quote_is_marked_with_the_language_it_was_written_in(client, participant):
    feedback = FeedbackFactory(
        participant=participant, experience=CHINESE, language="zh-hans", quote_excerpt="骚扰信息"
    )
    client.force_login(participant)
    page = client.get(feedback.get_absolute_url()).content.decode()
    assert '“<span lang="zh-Hans">骚扰信息</span>”' in page


@pytest.mark.parametrize(
    ("language", "text", "kinds"),
    [
        ("zh-hans", "我的电话是 9123 4567", ["phone"]),
        ("ms", "nombor saya 91234567", ["phone"]),
        ("ta", "என் மின்னஞ்சல் priya@example.sg இல் தொடர்பு கொள்ளவும்", ["email"]),
        ("zh-hans", "身份证S1234567D号，电话+65 9123 4567", ["nric", "phone"]),
    ],
)
def test_the_privacy_check_finds_details_inside_each_language(participant, language, text, kinds):
    feedback = services.feedback_create(
        participant=participant, details=_details(experience=text, language=language)
    )
    assert (feedback.language, feedback.personal_data_kinds) == (language, kinds)


def test_the_form_warns_about_a_phone_number_in_a_malay_suggestion(client, participant):
    client.force_login(_in_language(participant, "ms"))
    data = _form_data(experience="", suggestion_regulation="Hubungi nombor saya 91234567")
    warned = client.post(reverse("feedback:new"), data)
    assert warned.status_code == 400
    assert "91234567" in warned.content.decode()
    client.post(reverse("feedback:new"), {**data, "confirm_personal_data": "on"})
    feedback = Feedback.objects.get()
    assert (feedback.language, feedback.personal_data_kinds) == ("ms", ["phone"])
