"""The open-data archive: the API's public data as a ZIP of CSVs, rebuilt nightly.

Each CSV has exactly the fields of its API operation (the rows are built by the same
functions in api/endpoints.py), so the two can never disagree about what is public.
`DATASETS` is also the data dictionary the /open-data/ page shows and the archive carries
(`data-dictionary.csv`).

build_open_data() writes the archive to a temporary file beside the old one and renames it
into place (os.replace), so a reader never sees half an archive and two builds at once
leave one. Entries carry a fixed timestamp and the rows a fixed order, so the same data
always gives the same bytes: running the build twice gives one, identical archive. A small
JSON file beside it records when it was built and its SHA-256.
"""

import csv
import hashlib
import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audit.cells import safe_row
from initiatives.models import DRAFT_SECTIONS

from . import endpoints

ARCHIVE_NAME = "afa-open-data.zip"
META_NAME = "afa-open-data.json"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)
LICENCE = "Singapore Open Data Licence version 1.0 (https://beta.data.gov.sg/open-data-license)"


@dataclass(frozen=True)
class Column:
    name: str
    meaning: object


@dataclass(frozen=True)
class Dataset:
    filename: str
    title: object
    columns: tuple[Column, ...]


# The taxonomy's names, one column per language, and its place in lists.
_NAME_AND_ORDER = (
    Column("name_en", _("Its name in English.")),
    Column("name_zh_hans", _("Its name in Chinese (empty if not translated).")),
    Column("name_ms", _("Its name in Malay (empty if not translated).")),
    Column("name_ta", _("Its name in Tamil (empty if not translated).")),
    Column("order", _("Its place in lists.")),
)

DATASETS = (
    Dataset(
        "harm-categories.csv",
        _("Harm categories"),
        (
            Column("slug", _("The category's short name in web addresses.")),
            Column("parent", _("The top-level category it belongs to, if any.")),
            *_NAME_AND_ORDER,
        ),
    ),
    Dataset(
        "solution-areas.csv",
        _("Solution areas"),
        (
            Column("slug", _("The area's short name in web addresses.")),
            *_NAME_AND_ORDER,
        ),
    ),
    Dataset(
        "sessions.csv",
        _("Public engagement sessions"),
        (
            Column("id", _("The session's number.")),
            Column("slug", _("Its short name in web addresses.")),
            Column("title", _("Its title.")),
            Column("summary", _("Its summary.")),
            Column("starts_at", _("When it starts (ISO 8601, Singapore time).")),
            Column("ends_at", _("When it ends (ISO 8601, Singapore time).")),
            Column("mode", _("in_person, online or hybrid.")),
            Column("status", _("published or cancelled.")),
            Column("access", _("open, or invitation.")),
            Column(
                "harm_categories", _("The harm categories it is about (slugs, separated by |).")
            ),
            Column("capacity", _("Its number of seats.")),
        ),
    ),
    Dataset(
        "ideas.csv",
        _("Published ideas"),
        (
            Column("id", _("The idea's number.")),
            Column("title", _("Its title.")),
            Column("body", _("Its text, as its author wrote it.")),
            Column("language", _("The language it was written in.")),
            Column("author", _('Its author\'s display name, or "Anonymous participant".')),
            Column("harm_category", _("The harm category it addresses (slug).")),
            Column("solution_area", _("Its solution area (slug).")),
            Column("session", _("The session it came from (slug), if any.")),
            Column("status", _("approved, or merged into an initiative.")),
            Column("merged_into", _("The initiative it was merged into (slug), if any.")),
            Column("content_warning", _("The content warning shown before it, if any.")),
            Column("support_count", _("How many people support it.")),
            Column("comment_count", _("How many published comments it has.")),
            Column("submitted_at", _("When it was submitted (ISO 8601, Singapore time).")),
        ),
    ),
    Dataset(
        "initiatives.csv",
        _("Initiatives"),
        (
            Column("slug", _("The initiative's short name in web addresses.")),
            Column("title", _("Its title.")),
            Column("summary", _("Its summary.")),
            Column("description", _("Its description.")),
            Column("status", _("forming, in_progress or launched.")),
            Column("harm_categories", _("The harms it addresses (slugs, separated by |).")),
            Column("solution_area", _("Its solution area (slug).")),
            Column("created_at", _("When it was created (ISO 8601, Singapore time).")),
            Column(
                "status_history",
                _("Its status changes: status@time, separated by |, oldest first."),
            ),
            Column("published_version", _("The number of the version of its text published.")),
            Column("published_at", _("When that version was published (ISO 8601).")),
            Column("published_problem", _("The published text: the problem (Markdown).")),
            Column("published_proposal", _("The published text: what we propose (Markdown).")),
            Column("published_roles", _("The published text: who does what (Markdown).")),
            Column("published_milestones", _("The published text: milestones (Markdown).")),
        ),
    ),
    Dataset(
        "feedback-figures.csv",
        _("Feedback counted by month, harm category and solution area"),
        (
            Column("month", _("The month (its first day).")),
            Column("harm_category", _("The top-level harm category (slug); empty: none chosen.")),
            Column("solution_area", _("The solution area suggested (slug); empty: none.")),
            Column(
                "count",
                _(
                    "How many pieces of feedback; empty when above 0 but below the "
                    "disclosure threshold (5 unless set otherwise), to protect people."
                ),
            ),
        ),
    ),
)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, list):
        return "|".join(
            v["slug"]
            if isinstance(v, dict) and "slug" in v
            else f"{v['status']}@{timezone.localtime(v['at']).isoformat()}"
            for v in value
        )
    if isinstance(value, dict):
        return value.get("slug", "")
    return str(value)


def _rows(filename: str):
    """The dataset's rows, in a fixed order, built by the API's own functions."""
    language = settings.LANGUAGE_CODE
    if filename in ("harm-categories.csv", "solution-areas.csv"):
        items = (
            endpoints.harm_category_items(language)
            if filename == "harm-categories.csv"
            else endpoints.solution_area_items(language)
        )
        for item in items:
            names = item["names"]
            yield {
                **item,
                "name_en": names["en"],
                "name_zh_hans": names["zh-hans"],
                "name_ms": names["ms"],
                "name_ta": names["ta"],
            }
    elif filename == "sessions.csv":
        yield from endpoints.all_session_items(language)
    elif filename == "ideas.csv":
        yield from endpoints.all_idea_items(language)
    elif filename == "initiatives.csv":
        for item in endpoints.all_initiative_items(language):
            text = item["published_text"] or {}
            yield {
                **item,
                "published_version": text.get("version"),
                "published_at": text.get("published_at"),
                **{f"published_{k}": text.get(k) for k in DRAFT_SECTIONS},
            }
    elif filename == "feedback-figures.csv":
        yield from endpoints.feedback_cells()


def _csv_bytes(dataset: Dataset) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in dataset.columns])
    for row in _rows(dataset.filename):
        writer.writerow(safe_row(_cell(row.get(c.name)) for c in dataset.columns))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _dictionary_bytes() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["file", "column", "meaning"])
    for dataset in DATASETS:
        for column in dataset.columns:
            writer.writerow(safe_row([dataset.filename, column.name, str(column.meaning)]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _readme_bytes() -> bytes:
    lines = [
        "AfA Platform open data",
        "",
        "The public data of the Alliance for Action on online harms, the same as the API at",
        f"{settings.SITE_URL}/api/v1/. It holds no personal data. Licence: {LICENCE}.",
        "",
        "Files (UTF-8 CSV; data-dictionary.csv says what each column means):",
        *[f"- {d.filename}" for d in DATASETS],
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")


def archive_dir() -> Path:
    return Path(settings.OPEN_DATA_DIR)


def build_open_data() -> dict:
    """Build the archive and put it in place; returns what the JSON file beside it records."""
    directory = archive_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with translation.override("en"):
        members = [("README.txt", _readme_bytes()), ("data-dictionary.csv", _dictionary_bytes())]
        members += [(d.filename, _csv_bytes(d)) for d in DATASETS]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    data = buffer.getvalue()
    meta = {
        "built_at": timezone.localtime().isoformat(timespec="seconds"),
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    _replace(directory / ARCHIVE_NAME, data)
    _replace(directory / META_NAME, json.dumps(meta).encode("utf-8"))
    return meta


def _replace(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".building-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def archive_meta() -> dict | None:
    """When the archive was built, its size and SHA-256; None before the first build."""
    path = archive_dir() / META_NAME
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (archive_dir() / ARCHIVE_NAME).exists():
        return None
    meta["built_at"] = datetime.fromisoformat(meta["built_at"])
    return meta
