"""What every /api/v1/ answer shares, whatever the operation: CORS for reading, a per-address
rate limit, ETag with 304 answers, and JSON (never an HTML page) for every error.

ApiMiddleware sits near the top of settings.MIDDLEWARE so a request the API refuses (a
method it does not allow, a client over its limit) costs no session, no user and no query.

- Methods: GET, HEAD and OPTIONS. OPTIONS is the CORS preflight (204). Anything else is 405
  with an Allow header and a JSON body.
- CORS: `Access-Control-Allow-Origin: *` on every answer; no cookies are read, so a
  browser on any site may read the public data and nothing else.
- Rate limit: API_RATE_LIMIT requests per API_RATE_WINDOW seconds per client address (a
  fixed window counted in the cache, Redis in production); over it, 429 with Retry-After.
  The address is REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the Nth entry from the
  right of X-Forwarded-For (the same rule as the sign-in limits). When the cache is down the
  limit is not applied rather than the API refused.
- Conditional GET: each 200 gets a strong ETag over its body; a request whose If-None-Match
  matches gets 304 with no body. Last-Modified is set by the operation (the newest time among
  what it returns) and is informational: If-Modified-Since is not honoured, since a hidden or
  withdrawn item changes a list without changing the newest time in it (RFC 9110 lets a
  server ignore it); the ETag is exact.
"""

import json
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag

API_PREFIX = "/api/v1/"
ALLOWED = ("GET", "HEAD", "OPTIONS")
EXPOSED = "ETag, Last-Modified, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining"


def error_response(status: int, code: str, message: str, **extra) -> JsonResponse:
    """The one shape of every API error: {"error": {"code", "message", ...}}."""
    return JsonResponse({"error": {"code": code, "message": message, **extra}}, status=status)


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if len(entries) < proxies:
        return remote
    return entries[-proxies]


def _rate_limited(request: HttpRequest) -> tuple[int | None, int]:
    """(seconds to wait or None, requests left in this window)."""
    limit, window = settings.API_RATE_LIMIT, settings.API_RATE_WINDOW
    now = time.time()
    window_start = int(now // window) * window
    key = f"api-rate:{client_address(request)}:{window_start}"
    try:
        cache.add(key, 0, timeout=window + 1)
        count = cache.incr(key)
    except Exception:  # the cache is down: serve rather than refuse everyone
        return None, limit
    if count is None:
        return None, limit
    if count > limit:
        return max(1, int(window_start + window - now + 0.999)), 0
    return None, limit - count


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSED
    return response


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX) or request.path.startswith(API_PREFIX + "docs"):
            return self.get_response(request)
        if request.method not in ALLOWED:
            response = error_response(
                405, "method_not_allowed", "This API is read-only: use GET, HEAD or OPTIONS."
            )
            response["Allow"] = ", ".join(ALLOWED)
            return _cors(response)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ", ".join(ALLOWED)
            response["Access-Control-Allow-Methods"] = ", ".join(ALLOWED)
            response["Access-Control-Allow-Headers"] = "Accept, Accept-Language, If-None-Match"
            response["Access-Control-Max-Age"] = "86400"
            return _cors(response)
        wait, left = _rate_limited(request)
        if wait is not None:
            response = error_response(
                429,
                "rate_limited",
                f"Too many requests from this address. Try again in {wait} seconds.",
                retry_after=wait,
            )
            response["Retry-After"] = str(wait)
            response["X-RateLimit-Limit"] = str(settings.API_RATE_LIMIT)
            response["X-RateLimit-Remaining"] = "0"
            return _cors(response)
        head = request.method == "HEAD"
        if head:
            # The operations are declared for GET; HEAD is GET without the body.
            request.method = "GET"
        response = self.get_response(request)
        response = self._as_json(response)
        response["X-RateLimit-Limit"] = str(settings.API_RATE_LIMIT)
        response["X-RateLimit-Remaining"] = str(left)
        # The answer is the same for everyone: no cookie, no language from the session.
        patch_vary_headers(response, ["Accept-Encoding"])
        if response.status_code == 200 and not response.streaming:
            response["Cache-Control"] = "public, max-age=60"
            set_response_etag(response)
            conditional = get_conditional_response(
                request, etag=response["ETag"], response=response
            )
            if conditional is not response:
                response = conditional
        if head and not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return _cors(response)

    @staticmethod
    def _as_json(response: HttpResponse) -> HttpResponse:
        """A 404 or 500 from outside the API's own handlers (an unknown path) as JSON."""
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        if response.status_code == 404:
            return error_response(404, "not_found", "There is nothing at this address.")
        return error_response(
            response.status_code, "error", json.dumps(response.reason_phrase)[1:-1]
        )
