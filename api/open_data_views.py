"""/open-data/: what the data set is, its licence and data dictionary, and the archive.

The archive is a file the nightly task wrote (api/open_data.py); the view only hands it out
(FileResponse, streamed, with its size and a strong ETag from its SHA-256), so a download
costs no query and no build.
"""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from reports.figures import disclosure_threshold

from . import open_data


@require_safe
def index(request):
    return render(
        request,
        "api/open_data.html",
        {
            "datasets": open_data.DATASETS,
            "meta": open_data.archive_meta(),
            "licence": open_data.LICENCE,
            "threshold": disclosure_threshold(),
        },
    )


@require_safe
def archive(request):
    meta = open_data.archive_meta()
    if meta is None:
        raise Http404("The open-data archive has not been built yet.")
    etag = f'"{meta["sha256"]}"'
    conditional = get_conditional_response(request, etag=etag)
    if conditional is not None:
        return conditional
    response = FileResponse(
        (open_data.archive_dir() / open_data.ARCHIVE_NAME).open("rb"),
        as_attachment=True,
        filename=open_data.ARCHIVE_NAME,
        content_type="application/zip",
    )
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=3600"
    return response
