"""The benchmark's ceiling view exists only when BENCH_CEILING_VIEW is on."""

import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import clear_url_caches

import afa_platform.urls


@pytest.fixture
def ceiling_urls():
    with override_settings(BENCH_CEILING_VIEW=True):
        importlib.reload(afa_platform.urls)
        clear_url_caches()
        yield
    importlib.reload(afa_platform.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_the_ceiling_view_is_not_reachable_with_the_default_settings(client):
    from django.conf import settings

    assert settings.BENCH_CEILING_VIEW is False
    assert client.get("/bench/ceiling/").status_code == 404


@pytest.mark.django_db
def test_with_the_setting_on_the_ceiling_renders_base_html_and_no_query_of_its_own(
    client, ceiling_urls
):
    client.get("/bench/ceiling/")  # warm caches (site settings, translations)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench/ceiling/")
    assert response.status_code == 200
    assert "base.html" in [t.name for t in response.templates]
    assert b"<html" in response.content
    # The view adds none: the only query is base.html's own footer (the support resources).
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in queries.captured_queries]
    assert tables == ['"harms_supportresource"']
