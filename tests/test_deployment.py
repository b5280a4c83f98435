"""Production configuration: refuse to start half-configured; compose names real things."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PROD_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a" * 20 + "-production-secret-for-tests-only-0123456789",
    "ALLOWED_HOSTS": "afa.example.sg",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _run(code: str, env: dict) -> subprocess.CompletedProcess:
    unset = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "afa_platform.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _run("import django; django.setup()", {**PROD_ENV, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _run("import django; django.setup()", {**PROD_ENV, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_deploy_check_passes_without_warnings():
    code = (
        "import django, sys; django.setup();"
        "from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = _run(code, PROD_ENV)
    assert result.returncode == 0, result.stderr


def _env_vars_read_by_settings() -> set[str]:
    text = (ROOT / "afa_platform/settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', text)) | {"DJANGO_SETTINGS_MODULE"}


def test_compose_services_refer_to_things_that_exist():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(services)
    known = _env_vars_read_by_settings()
    for name in ("web", "worker", "beat", "migrate"):
        service = services[name]
        for variable in service["environment"]:
            assert variable in known, f"{name} sets {variable}, which settings never read"
        assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "afa_platform.settings"
        command = service["command"]
        if command[0] == "celery":
            assert command[1:3] == ["-A", "afa_platform"]
            assert (ROOT / "afa_platform/celery.py").exists()
        elif command[0] == "gunicorn":
            module, attribute = command[1].split(":")
            assert (ROOT / (module.replace(".", "/") + ".py")).exists()
            assert attribute == "application"
        else:
            assert command[:2] == ["python", "manage.py"]
            assert (ROOT / "manage.py").exists()
    assert services["web"]["healthcheck"]["test"][-1].count("/healthz") == 1
    assert services["beat"]["deploy"]["replicas"] == 1
    for name in ("db", "redis"):
        assert "healthcheck" in services[name]


def test_celery_app_has_time_limits_and_late_acks():
    from afa_platform.celery import app

    assert app.conf.task_time_limit and app.conf.task_soft_time_limit
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.timezone == "Asia/Singapore"
