"""The accessibility statement, in the form government sites use, linked from every page's
footer."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from afa_platform.views import ACCESSIBILITY_REVIEWED


@pytest.mark.django_db
def test_the_statement_gives_the_standard_the_testing_the_limits_and_whom_to_write_to(
    client, settings
):
    settings.SUPPORT_EMAIL = "access@afa.example.sg"
    response = client.get("/accessibility/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and "Accessibility statement for the AfA Platform" in page
    assert "WCAG 2.2 AA" in page
    assert "partially compliant" in page
    for section in [
        "How accessible this website is",
        "What to do if you cannot use part of this website",
        "Compliance status",
        "How we tested this website",
        "Preparation of this accessibility statement",
    ]:
        assert re.search(rf"<h[23][^>]*>{re.escape(section)}</h[23]>", page), section
    for method in ["axe-core", "Keyboard journeys", "Nu HTML Checker"]:
        assert method in page
    # Known limitations are listed, honestly, before the contact.
    assert page.index("not yet tested the site with screen readers") < page.index(
        "mailto:access@afa.example.sg"
    )
    assert "English, Chinese, Malay and Tamil" in page
    assert 'href="mailto:access@afa.example.sg"' in page


@pytest.mark.django_db
def test_the_statement_shows_the_date_of_its_last_review(client):
    page = client.get("/accessibility/").content.decode()
    assert f"last reviewed on {ACCESSIBILITY_REVIEWED.day} " in page
    assert ACCESSIBILITY_REVIEWED.strftime("%B %Y") in page


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/sessions/", "/accounts/login/", "/no/such/page/"])
def test_every_page_links_to_the_statement_from_its_footer(client, url):
    page = client.get(url).content.decode()
    footer = page[page.index("<footer") : page.index("</footer>")]
    assert f'href="{reverse("accessibility")}"' in footer
    assert "Accessibility statement" in footer


@pytest.mark.django_db
def test_every_sentence_of_the_statement_goes_through_translation(client, monkeypatch):
    """With a stand-in catalogue that turns every message into "T", nothing of the statement's
    own text is left in the page's main content."""
    monkeypatch.setattr(translation._trans, "gettext", lambda message: "T")
    page = client.get("/accessibility/").content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    words = re.sub(r"<[^>]+>", " ", main).split()
    assert words and set(words) == {"T"}
