"""/open-data/: the page, its data dictionary, and the nightly archive of CSVs."""

import io
import zipfile

import pytest
from django.conf import settings as django_settings

from api import open_data, tasks
from initiatives.models import IdeaStatus
from tests.api.test_public_api import SECRETS, _drafted_initiative, _public_world, _secrets_world
from tests.factories import IdeaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _archive_dir(settings, tmp_path):
    settings.OPEN_DATA_DIR = str(tmp_path / "open-data")


def _archive_bytes(client) -> bytes:
    response = client.get("/open-data/afa-open-data.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return b"".join(response.streaming_content)


def test_the_page_gives_the_licence_the_dictionary_and_says_no_archive_yet(client):
    page = client.get("/open-data/").content.decode()
    assert "Singapore Open Data Licence" in page
    for dataset in open_data.DATASETS:
        assert dataset.filename in page
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in page
    assert "has not been built yet" in page
    assert client.get("/open-data/afa-open-data.zip").status_code == 404


def test_the_nightly_build_is_served_and_dated(client):
    _public_world()
    tasks.build_open_data.delay()
    page = client.get("/open-data/").content.decode()
    assert "Built on" in page and "Download the open data" in page
    with zipfile.ZipFile(io.BytesIO(_archive_bytes(client))) as archive:
        names = set(archive.namelist())
        assert {d.filename for d in open_data.DATASETS} | {
            "README.txt",
            "data-dictionary.csv",
        } == names
        ideas = archive.read("ideas.csv").decode("utf-8-sig").splitlines()
    assert ideas[0].startswith("id,title,body,language,author")
    assert len(ideas) >= 2


def test_the_initiatives_file_holds_the_published_text(client):
    _drafted_initiative()
    open_data.build_open_data()
    with zipfile.ZipFile(io.BytesIO(_archive_bytes(client))) as archive:
        text = archive.read("initiatives.csv").decode("utf-8-sig")
    assert "published_proposal" in text.splitlines()[0]
    assert "Lessons in four languages." in text
    assert "Working text not yet agreed" not in text


def test_building_twice_gives_one_identical_archive(client):
    _public_world()
    first = open_data.build_open_data()
    second = open_data.build_open_data()
    assert first["sha256"] == second["sha256"]
    files = sorted(p.name for p in open_data.archive_dir().iterdir())
    assert files == ["afa-open-data.json", "afa-open-data.zip"]  # no temporary file left


def test_the_archive_changes_when_the_data_does(client):
    _public_world()
    before = open_data.build_open_data()["sha256"]
    IdeaFactory(status=IdeaStatus.APPROVED)
    assert open_data.build_open_data()["sha256"] != before


def test_a_matching_etag_gets_304(client):
    open_data.build_open_data()
    etag = client.get("/open-data/afa-open-data.zip")["ETag"]
    assert client.get("/open-data/afa-open-data.zip", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_no_byte_of_the_archive_holds_an_email_a_hidden_name_or_private_text(client):
    _public_world()
    _secrets_world()
    open_data.build_open_data()
    text = []
    with zipfile.ZipFile(io.BytesIO(_archive_bytes(client))) as archive:
        for name in archive.namelist():
            text.append(archive.read(name).decode("utf-8-sig"))
    everything = "\n".join(text)
    assert "Anonymous participant" in everything
    for secret in SECRETS:
        assert secret not in everything, secret


def test_cells_that_look_like_formulas_are_neutralised(client):
    IdeaFactory(status=IdeaStatus.APPROVED, title='=HYPERLINK("http://x")')
    open_data.build_open_data()
    with zipfile.ZipFile(io.BytesIO(_archive_bytes(client))) as archive:
        ideas = archive.read("ideas.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in ideas or "\"'=HYPERLINK" in ideas


def test_beat_rebuilds_it_nightly():
    entry = django_settings.CELERY_BEAT_SCHEDULE["api-build-open-data"]
    assert entry["task"] == "api.tasks.build_open_data"
