"""Landmarks (WCAG 1.3.1, axe's `region` rule): everything on a page sits in a landmark, the
"Leave this site quickly" bar included, on the standalone error page too."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import path
from playwright.sync_api import expect

from initiatives.models import IdeaStatus
from tests.browser_support import sign_in
from tests.factories import EngagementSessionFactory, IdeaFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]
handler500 = "afa_platform.views.error_500"


def region_violations(page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "rule", "values": ["region"]}})
    return [
        f"{node['target']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def test_every_part_of_the_main_pages_sits_in_a_landmark(live_server, page):
    session = EngagementSessionFactory(title="Safer one-to-one messaging")
    idea = IdeaFactory(status=IdeaStatus.APPROVED, title="Helplines in every gaming chat")
    pages = [
        "/",
        "/sessions/",
        session.get_absolute_url(),
        idea.get_absolute_url(),
        "/accounts/signup/",
        "/no/such/page/",
    ]
    for url in pages:
        page.goto(live_server.url + url)
        exit_link = page.get_by_role("banner").get_by_role("link", name="Leave this site quickly")
        expect(exit_link).to_be_visible()
        assert region_violations(page) == [], url
    sign_in(page, live_server.url, UserFactory())
    page.goto(live_server.url + "/feedback/new/")
    assert region_violations(page) == []


@pytest.mark.urls("tests.browser.test_landmarks")
def test_the_server_error_page_keeps_the_exit_in_its_banner(live_server, page):
    page.route("https://www.weather.gov.sg/**", lambda route: route.fulfill(body="Weather"))
    response = page.goto(live_server.url + "/boom/")
    assert response.status == 500
    expect(page.get_by_role("heading", name="Something went wrong on our side")).to_be_visible()
    assert region_violations(page) == []
    page.locator("body").focus()
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Leave this site quickly")
    page.keyboard.press("Enter")
    page.wait_for_url("https://www.weather.gov.sg/**")
