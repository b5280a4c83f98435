"""Chromium end to end (issue 13, item 1): a participant asks for their data on My account ->
My data, the job runs (in-process, as tasks do in tests), the discreet email arrives, its link
downloads the ZIP, and the ZIP opens with its readable page and its data.json."""

import contextlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser_support import sign_in
from tests.conftest import assert_no_serious_axe_violations
from tests.factories import IdeaFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_participant_prepares_their_data_and_downloads_it_from_the_email_link(
    live_server, page, settings, tmp_path
):
    settings.PERSONAL_DATA_ROOT = str(tmp_path / "personal-data")
    person = UserFactory(display_name="Priya Browser")
    RegistrationFactory(participant=person, access_needs="A seat near the door")
    IdeaFactory(author=person, title="Peer mentors in every school")
    base = live_server.url
    sign_in(page, base, person)

    page.goto(f"{base}/accounts/profile/")
    page.get_by_role("link", name="My data").click()
    expect(page.get_by_role("heading", name="My data", level=1)).to_be_visible()
    expect(page.get_by_text("You have not asked for a copy yet.")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Prepare my data").click()
    expect(page.get_by_text("We will email you a link when it is ready.")).to_be_visible()
    # The job ran in-process after the request committed, so the list shows it ready.
    expect(page.get_by_role("link", name="Download")).to_be_visible()
    assert_no_serious_axe_violations(page)

    (message,) = [m for m in mail.outbox if person.email in m.to]
    assert message.subject == "Your file from the AfA Platform is ready"
    link = re.search(r"https?://\S+/accounts/profile/my-data/\d+/download", message.body)[0]
    link = link.replace(django_settings.SITE_URL, base)
    # A navigation that turns into a download "aborts" the page load.
    with page.expect_download() as download_info, contextlib.suppress(PlaywrightError):
        page.goto(link)
    download = download_info.value
    assert re.fullmatch(r"afa-my-data-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    content = Path(download.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = set(archive.namelist())
        index = archive.read("index.html").decode()
        data = json.loads(archive.read("data.json"))
    assert {"index.html", "data.json", "registrations.csv", "ideas.csv"} <= names
    assert "Your data from the AfA Platform" in index
    assert "A seat near the door" in index
    assert data["user_id"] == person.pk
    assert data["sections"]["ideas"]["rows"][0]["title"] == "Peer mentors in every school"
    assert data["sections"]["registrations"]["rows"][0]["access_needs"] == "A seat near the door"

    # The readable page opens in the browser too.
    index_path = tmp_path / "index.html"
    index_path.write_text(index, encoding="utf-8")
    page.goto(index_path.as_uri())
    expect(page.get_by_role("heading", name="Your registrations for sessions")).to_be_visible()
