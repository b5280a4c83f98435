from django.http import HttpResponse
from django.urls import include, path


def constant(request):
    """The floor: a Django view through the full middleware stack, no database work."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/constant", constant),
    path("", include("afa_platform.urls")),
]
