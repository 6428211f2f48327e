"""The production checks: static files collected, and a Redis that never evicts keys."""

import io
import json
import socket
import time

import pytest
from django.contrib.staticfiles.finders import get_finders
from django.core.checks import Error, Warning
from django.core.checks.registry import registry
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from helpdesk.checks import (
    COLLECTSTATIC_IGNORED,
    REDIS_CHECK_TIMEOUT,
    redis_eviction_check,
    static_files_check,
)
from tests.deploy.services import free_port, redis_server

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture
def production(settings, tmp_path):
    """Production's static files storage, over an empty STATIC_ROOT of the test's own."""
    settings.PRODUCTION = True
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    return settings


def write_manifest(settings, paths) -> None:
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    manifest = {"paths": {path: path for path in paths}, "version": "1.1"}
    (settings.STATIC_ROOT / "staticfiles.json").write_text(json.dumps(manifest))


def found_static_files() -> set[str]:
    return {path for finder in get_finders() for path, _ in finder.list(COLLECTSTATIC_IGNORED)}


def test_production_without_collected_static_files_is_an_error(production):
    [error] = static_files_check()

    assert isinstance(error, Error)
    assert error.id == "helpdesk.E001"
    assert "Static files have not been collected" in error.msg
    assert "manage.py collectstatic" in error.msg
    assert "manage.py release" in error.msg


def test_collected_static_files_pass(production):
    call_command("collectstatic", interactive=False, verbosity=0)

    assert (production.STATIC_ROOT / "staticfiles.json").exists()
    assert static_files_check() == []


def test_a_manifest_with_every_file_passes_and_one_file_short_is_an_error(production):
    found = found_static_files()
    write_manifest(production, found)
    assert static_files_check() == []

    write_manifest(production, found - {"css/app.css"})
    [error] = static_files_check()

    assert error.id == "helpdesk.E002"
    assert "lacks 1 of this version's files (for example css/app.css)" in error.msg
    assert "manage.py collectstatic" in error.msg


def test_an_unreadable_manifest_is_an_error(production):
    production.STATIC_ROOT.mkdir(parents=True)
    (production.STATIC_ROOT / "staticfiles.json").write_text("{not json")

    [error] = static_files_check()

    assert error.id == "helpdesk.E001"
    assert "cannot be read" in error.msg


def test_development_needs_no_collected_static_files(settings, tmp_path):
    settings.PRODUCTION = False
    settings.STATIC_ROOT = tmp_path / "static"

    assert static_files_check() == []


def test_the_static_check_runs_in_every_check_not_only_the_deployment_one(production):
    with pytest.raises(SystemCheckError, match="helpdesk.E001"):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_redis_check_runs_in_check_deploy_only():
    assert redis_eviction_check in registry.get_checks(include_deployment_checks=True)
    assert redis_eviction_check not in registry.get_checks(include_deployment_checks=False)


def use_redis(settings, broker: str, cache: str | None = None) -> None:
    settings.CELERY_BROKER_URL = broker
    settings.CACHES = {
        "default": {"BACKEND": "helpdesk.lib.redis_cache.Cache", "LOCATION": cache or broker}
    }


def set_policy(url: str, policy: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.config_set("maxmemory-policy", policy)
    client.close()


@pytest.mark.parametrize("policy", ["allkeys-lru", "volatile-ttl"])
def test_a_redis_that_may_evict_keys_gets_a_warning_with_the_fix(settings, policy):
    with redis_server("--maxmemory-policy", policy) as url:
        port = url.split(":")[2].split("/")[0]
        use_redis(settings, url, url.replace("/0", "/1"))

        [warning] = redis_eviction_check()

    assert isinstance(warning, Warning)
    assert warning.id == "helpdesk.W002"
    assert f"Redis at 127.0.0.1:{port} (the Celery broker and the cache) may evict keys" in (
        warning.msg
    )
    assert f"maxmemory-policy is {policy}" in warning.msg
    assert "queued tasks" in warning.msg
    assert f"redis-cli -h 127.0.0.1 -p {port} CONFIG SET maxmemory-policy noeviction" in (
        warning.msg
    )
    assert "`maxmemory-policy noeviction` in redis.conf" in warning.msg


def test_noeviction_gets_no_warning_and_changing_it_back_does(settings):
    with redis_server() as url:
        use_redis(settings, url)
        assert redis_eviction_check() == []  # Redis' own default is noeviction

        set_policy(url, "allkeys-lru")
        [warning] = redis_eviction_check()
        assert warning.id == "helpdesk.W002"

        set_policy(url, "noeviction")
        assert redis_eviction_check() == []


def test_only_the_server_that_may_evict_is_named(settings):
    with redis_server() as broker, redis_server("--maxmemory-policy", "allkeys-lfu") as cache:
        use_redis(settings, broker, cache)

        [warning] = redis_eviction_check()

    cache_server = cache.removeprefix("redis://").removesuffix("/0")
    assert warning.msg.startswith(f"Redis at {cache_server} (the cache) may evict keys")
    assert "the Celery broker" not in warning.msg


def test_a_redis_that_refuses_config_says_it_could_not_be_checked(settings):
    with redis_server("--rename-command", "CONFIG", "") as url:
        use_redis(settings, url)

        [warning] = redis_eviction_check()

    assert warning.id == "helpdesk.W004"
    assert "could not be checked (CONFIG GET was refused" in warning.msg
    assert "CONFIG SET maxmemory-policy noeviction" in warning.msg


def test_a_dead_redis_gets_a_clear_warning_at_once(settings):
    port = free_port()  # nothing listens there
    use_redis(settings, f"redis://127.0.0.1:{port}/0")

    started = time.monotonic()
    [warning] = redis_eviction_check()

    assert time.monotonic() - started < 1
    assert warning.id == "helpdesk.W003"
    assert f"Redis at 127.0.0.1:{port} (the Celery broker and the cache) could not be" in (
        warning.msg
    )
    assert "Connection refused" in warning.msg


def test_a_frozen_redis_costs_the_check_its_timeout_and_no_more(settings):
    """Connections are taken (the kernel's backlog) and never answered, as a stopped
    Redis process does: the check gives up after REDIS_CHECK_TIMEOUT."""
    with socket.socket() as frozen:
        frozen.bind(("127.0.0.1", 0))
        frozen.listen(8)
        port = frozen.getsockname()[1]
        use_redis(settings, f"redis://127.0.0.1:{port}/0")

        started = time.monotonic()
        [warning] = redis_eviction_check()
        elapsed = time.monotonic() - started

    assert REDIS_CHECK_TIMEOUT <= elapsed < REDIS_CHECK_TIMEOUT + 1
    assert warning.id == "helpdesk.W003"
    assert "Timeout" in warning.msg


def test_no_redis_configured_means_nothing_to_check(settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }

    assert redis_eviction_check() == []


def test_check_deploy_reports_the_eviction_warning(settings):
    with redis_server("--maxmemory-policy", "allkeys-lru") as url:
        use_redis(settings, url)
        out, err = io.StringIO(), io.StringIO()

        call_command("check", deploy=True, stdout=out, stderr=err)

    assert "helpdesk.W002" in err.getvalue()
    assert "CONFIG SET maxmemory-policy noeviction" in err.getvalue()
