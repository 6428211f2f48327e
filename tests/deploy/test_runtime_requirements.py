"""requirements.txt alone runs production: a fresh virtualenv, the release step, then the
web, the worker and beat of deploy/'s systemd units, and a contact form acknowledged.

The development tools pull in packages the runtime needs too (kombu's Redis transport
imports `packaging`, which kombu asks for only with its [redis] extra), so the suite's
own virtualenv cannot show that requirements.txt is complete: this test makes one with
nothing else in it, in the test's temporary folder (outside the project: makemessages
would read Django's own strings in it), made afresh each run; pip's cache is used as
usual.

It needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): it skips without them, which is
the SQLite run, except on CI, where it fails. It makes its own database
(<DATABASE_URL's name>_release) and drops it after; mail goes to an SMTP server it starts.
Measured on the 2-CPU development machine, pip's cache warm: 82 s in all (the virtualenv
and the install 35 s, the release 25 s, the start until the web answers 13 s, the form
to its acknowledgement 3 s, the stop 7 s), 106 s while five other test runs shared the
machine (the install 56 s). Each phase's time is printed (pytest -rP).
"""

import http.client
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import pytest
from psycopg import sql

from tests.deploy.services import DEPLOY, ROOT, Service, free_port, missing, wait_until
from tests.outbox.smtp_server import SmtpServer

pytestmark = pytest.mark.deploy

CUSTOMER = "runtime.check@customer.example"


def stack_urls() -> tuple[str, str, str]:
    database = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("REDIS_URL", "")
    if not database.startswith(("postgres://", "postgresql://")) or not broker.startswith(
        ("redis://", "rediss://")
    ):
        missing("needs PostgreSQL and Redis in DATABASE_URL and REDIS_URL, as CI sets them")
    return database, broker, os.environ.get("CACHE_URL") or broker


@contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """A new, empty database on DATABASE_URL's server, dropped afterwards."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_release"
    server = parts._replace(path="/postgres").geturl()

    def drop(connection):
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )

    with psycopg.connect(server, autocommit=True) as connection:
        drop(connection)
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            drop(connection)


def fresh_virtualenv(folder: Path) -> Path:
    """A virtualenv with requirements.txt installed and nothing else."""
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=120)
    install = subprocess.run(
        [str(folder / "bin" / "pip"), "install", "--quiet", "-r", "requirements.txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return folder


def unit_command(unit: str, venv: Path, port: int) -> list[str]:
    """The unit's ExecStart, run from `venv` (not /srv/helpdesk/.venv), web on `port`."""
    text = (DEPLOY / f"helpdesk-{unit}.service").read_text()
    [line] = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    command = line.removeprefix("ExecStart=")
    assert command.startswith("/srv/helpdesk/.venv/bin/")
    if unit == "web":
        assert "--bind 127.0.0.1:8000" in command
        command = command.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    return shlex.split(command.replace("/srv/helpdesk/.venv", str(venv)))


def contact_page(port: int) -> tuple[str, str]:
    """The contact form's page and the cookie header to send it back with."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/contact/")
    response = connection.getresponse()
    page = response.read().decode()
    assert response.status == 200, page
    # Secure cookies in production: a browser would keep them for https only, but this
    # client sends them back itself.
    cookies = [value.split(";")[0] for value in response.headers.get_all("Set-Cookie") or []]
    return page, "; ".join(cookies)


def hidden_value(page: str, name: str) -> str:
    [tag] = re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    return re.search(r'\bvalue="([^"]+)"', tag).group(1)


def serving(web: Service, port: int) -> bool:
    assert web.running(), web.output()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/contact/")
        return connection.getresponse().status == 200
    except OSError:
        return False


def test_requirements_txt_alone_runs_web_worker_and_beat(tmp_path):
    database_url, broker_url, cache_url = stack_urls()
    timings = {}
    started = time.monotonic()

    def lap(phase: str) -> None:
        nonlocal started
        timings[phase] = round(time.monotonic() - started, 1)
        started = time.monotonic()

    venv = fresh_virtualenv(tmp_path / "deploy-venv")
    lap("virtualenv and requirements.txt")

    port = free_port()
    with fresh_database(database_url) as database, SmtpServer() as sink:
        env = {
            "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "LANG": "C.UTF-8",
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "DATABASE_URL": database,
            "REDIS_URL": broker_url,
            "CACHE_URL": cache_url,
            "VAR_DIR": str(tmp_path / "var"),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "HELPDESK_EMAIL": "support@help.example.com",
        }
        release = subprocess.run(
            [str(venv / "bin" / "python"), "manage.py", "release"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert release.returncode == 0, release.stdout + release.stderr
        assert "Release ready" in release.stdout
        lap("release (migrate, collectstatic, check --deploy)")

        services = [
            Service(unit, unit_command(unit, venv, port), env=env, cwd=ROOT, logs=tmp_path)
            for unit in ("web", "worker", "beat")
        ]
        web, worker, beat = services
        try:
            wait_until(lambda: serving(web, port), 90, "the web")
            lap("start until the web answers")

            page, cookies = contact_page(port)
            form = {
                "name": "Runtime Check",
                "email": CUSTOMER,
                "subject": "Printer on fire",
                "category": "",
                "message": "The printer on the second floor is on fire.",
                "website": "",
                "submission_token": hidden_value(page, "submission_token"),
                "csrfmiddlewaretoken": hidden_value(page, "csrfmiddlewaretoken"),
            }
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(
                "POST",
                "/contact/",
                urlencode(form),
                {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies},
            )
            response = connection.getresponse()
            body = response.read().decode(errors="replace")
            assert response.status == 302, body
            [reference] = re.findall(r"/contact/thanks/(HD-\d+)/", response.getheader("Location"))

            acknowledgement = wait_until(
                lambda: next(
                    (
                        message
                        for message in list(sink.received)
                        if CUSTOMER in message["To"] and reference in message["Subject"]
                    ),
                    None,
                ),
                60,
                "the acknowledgement at the SMTP server",
            )
            lap("form posted until its acknowledgement is sent")
        finally:
            # Beat first, so that nothing is queued that no worker will take.
            exits = {service.name: service.stop() for service in (beat, web, worker)}
        lap("stop")

    print(f"runtime requirements, seconds: {timings}")  # shown by pytest -rP
    assert exits == {"web": 0, "worker": 0, "beat": 0}, {s.name: s.output() for s in services}
    assert acknowledgement["From"].endswith("<support@help.example.com>")
    for service in services:
        assert "No module named" not in service.output(), service.output()
        assert "Traceback" not in service.output(), service.output()
