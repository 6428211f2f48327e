"""What gunicorn, the Celery worker and beat say, or refuse, as they start (helpdesk.checks)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.deploy.services import ROOT, Service, free_port, redis_server, wait_until

BIN = Path(sys.executable).parent


def environment(var_dir: Path, **extra: str) -> dict[str, str]:
    """A process's whole environment: nothing of the test run's own leaks in."""
    return {"PATH": os.environ["PATH"], "HOME": str(var_dir), "VAR_DIR": str(var_dir), **extra}


def production(var_dir: Path, port: int) -> dict[str, str]:
    return environment(
        var_dir,
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
    )


def gunicorn(port: int) -> list[str]:
    return [str(BIN / "gunicorn"), "helpdesk.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]


def test_gunicorn_refuses_to_start_in_production_before_collectstatic(tmp_path):
    port = free_port()

    result = subprocess.run(
        gunicorn(port),
        cwd=ROOT,
        env=production(tmp_path, port),
        capture_output=True,
        text=True,
        timeout=60,
    )

    # 3: gunicorn's "worker failed to boot", which the web unit does not restart.
    assert result.returncode == 3, result.stderr
    assert "System check ERROR (helpdesk.E001): Static files have not been collected" in (
        result.stderr
    )
    assert "Run `manage.py collectstatic --no-input` or `manage.py release`." in result.stderr


def test_gunicorn_warns_at_start_when_redis_may_evict_keys(tmp_path):
    port = free_port()
    with redis_server("--maxmemory-policy", "allkeys-lru") as url:
        web = Service(
            "web",
            gunicorn(port),
            env=environment(tmp_path, REDIS_URL=url),
            cwd=ROOT,
            logs=tmp_path,
        )
        try:
            wait_until(lambda: "Booting worker" in web.output(), 30, "gunicorn's worker")
            wait_until(lambda: "helpdesk.W002" in web.output(), 30, web.output())
        finally:
            assert web.stop() == 0

    assert "may evict keys: its maxmemory-policy is allkeys-lru" in web.output()
    assert "CONFIG SET maxmemory-policy noeviction" in web.output()


def test_the_celery_worker_warns_at_start_when_redis_may_evict_keys(tmp_path):
    with redis_server("--maxmemory-policy", "allkeys-lru") as url:
        worker = Service(
            "worker",
            [str(BIN / "celery"), "-A", "helpdesk", "worker", "--pool=solo", "--loglevel=INFO"],
            env=environment(tmp_path, REDIS_URL=url),
            cwd=ROOT,
            logs=tmp_path,
        )
        try:
            wait_until(lambda: "helpdesk.W002" in worker.output(), 60, "the worker's warning")
            wait_until(lambda: "ready." in worker.output(), 60, "the worker")
        finally:
            assert worker.stop() == 0

    output = worker.output()
    assert "(the Celery broker and the cache) may evict keys" in output
    # Said before the worker takes its first task.
    assert output.index("helpdesk.W002") < output.index("ready.")


def test_celery_beat_warns_at_start_when_redis_may_evict_keys(tmp_path):
    with redis_server("--maxmemory-policy", "allkeys-lru") as url:
        beat = Service(
            "beat",
            [str(BIN / "celery"), "-A", "helpdesk", "beat", "--loglevel=INFO"],
            env=environment(tmp_path, REDIS_URL=url),
            cwd=ROOT,
            logs=tmp_path,
        )
        try:
            wait_until(lambda: "helpdesk.W002" in beat.output(), 60, "beat's warning")
        finally:
            assert beat.stop() == 0

    assert "(the Celery broker and the cache) may evict keys" in beat.output()
