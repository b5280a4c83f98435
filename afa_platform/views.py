import logging
from datetime import date

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis.backoff import NoBackoff
from redis.retry import Retry

from accounts.consent import privacy_page_context
from audit.retention import rules as retention_rules
from harms.selectors import top_level_categories
from outbox.models import OutboundEmail, OutboundEmailStatus
from process import selectors as process_selectors
from reports.figures import days_to_launch, launch_date

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    today = process_selectors.singapore_day()
    phases = process_selectors.phases()
    # The one source of the launch date: the launch phase, else the launch settings.
    launch = launch_date(phases=phases)
    return render(
        request,
        "home.html",
        {
            "categories": top_level_categories(),
            "current_phase": process_selectors.phase_on(today, among=phases),
            "launch_date": launch,
            "days_to_launch": days_to_launch(launch=launch, on=today),
        },
    )


@require_GET
def bench_ceiling(request: HttpRequest) -> HttpResponse:
    """The framework's ceiling for a page (bench/pages.py): base.html through the whole
    middleware stack, with no queries of its own. Routed only when BENCH_CEILING_VIEW is on."""
    return render(request, "base.html")


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy.html",
        {
            "version": settings.PDPA_NOTICE_VERSION,
            "support_email": settings.SUPPORT_EMAIL,
            # Each retention period, worded from the settings the daily job applies.
            "retention": [text for rule in retention_rules() if (text := rule.notice())],
            **privacy_page_context(request),
        },
    )


# The day the accessibility statement was last reviewed: the one place to change when a review
# is done (and the statement's text in templates/accessibility.html, if what it found changed).
ACCESSIBILITY_REVIEWED = date(2026, 12, 2)
# The standard the statement measures the site against.
ACCESSIBILITY_STANDARD = "WCAG 2.2 AA"


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accessibility.html",
        {
            "reviewed": ACCESSIBILITY_REVIEWED,
            "standard": ACCESSIBILITY_STANDARD,
            "support_email": settings.SUPPORT_EMAIL,
        },
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database (and Redis, when configured) answer; 503 otherwise."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        logger.exception("Health check: database unreachable")
        checks["database"] = "error"
    if settings.REDIS_URL:
        checks["redis"] = "ok" if _redis_answers(settings.REDIS_URL) else "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def _redis_answers(url: str) -> bool:
    """A real PING on a connection of its own: the cache would not tell, since it answers as
    an empty cache while Redis is down (afa_platform/cache.py)."""
    client = redis.Redis.from_url(
        url, socket_connect_timeout=1, socket_timeout=1, retry=Retry(NoBackoff(), 0)
    )
    try:
        return bool(client.ping())
    except redis.RedisError as error:
        logger.warning("Health check: Redis unreachable (%s: %s)", type(error).__name__, error)
        return False
    finally:
        client.close()


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed. The exit's address is a setting.
    page = loader.get_template("500.html").render({"quick_exit_url": settings.QUICK_EXIT_URL})
    return HttpResponse(page, status=500)


def outbox_backlog() -> int:
    """Emails not sent yet: waiting, or claimed by a drain (for /metrics)."""
    return OutboundEmail.objects.filter(
        status__in=[OutboundEmailStatus.PENDING, OutboundEmailStatus.SENDING]
    ).count()
