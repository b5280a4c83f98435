"""Site-wide request rules that belong to no app."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

# The site is HTML forms and links: nothing answers PUT, PATCH, DELETE, OPTIONS or TRACE.
# Each view narrows this further with require_GET / require_POST / require_http_methods.
SERVED_METHODS = ("GET", "HEAD", "POST")


class AllowedMethodsMiddleware:
    """405 (with Allow) for a method no view serves, before any view runs: allauth's
    class-based views would otherwise answer OPTIONS, and a plain view anything."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SERVED_METHODS:
            return HttpResponseNotAllowed(SERVED_METHODS)
        return self.get_response(request)
