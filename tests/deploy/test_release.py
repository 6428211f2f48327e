"""`manage.py release`: migrate, collect static files, check; any error stops it."""

import io
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.checks import Error
from django.core.checks.registry import registry
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from helpdesk.lib.request_size import request_max_bytes
from tests.deploy.services import DEPLOY, ROOT
from tests.deploy.test_checks import MANIFEST_STORAGE

ENV_EXAMPLE = DEPLOY / "helpdesk.env.example"


@pytest.fixture
def production(settings, tmp_path):
    settings.PRODUCTION = True
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    return settings


@pytest.fixture
def failing_check():
    def a_failing_check(app_configs=None, **kwargs):
        return [Error("Something is wrong with this deployment.", id="tests.E001")]

    registry.register(a_failing_check)
    yield
    registry.registered_checks.discard(a_failing_check)


@pytest.mark.django_db
def test_release_collects_static_files_then_passes_the_checks_showing_warnings(production):
    production.SITE_URL = ""  # a warning: helpdesk.W001
    out, err = io.StringIO(), io.StringIO()

    call_command("release", stdout=out, stderr=err)

    assert (production.STATIC_ROOT / "staticfiles.json").exists()
    assert "helpdesk.W001" in err.getvalue()
    assert "Release ready" in out.getvalue()


@pytest.mark.django_db
def test_release_fails_on_a_failing_check_after_collecting(production, failing_check):
    out = io.StringIO()

    with pytest.raises(SystemCheckError, match="tests.E001"):
        call_command("release", stdout=out, stderr=io.StringIO())

    assert (production.STATIC_ROOT / "staticfiles.json").exists()
    assert "Release ready" not in out.getvalue()


@pytest.mark.django_db
def test_a_warning_fails_the_release_when_asked(production):
    production.SITE_URL = ""  # helpdesk.W001
    out = io.StringIO()

    with pytest.raises(SystemCheckError, match="helpdesk.W001"):
        call_command("release", fail_level="WARNING", stdout=out, stderr=io.StringIO())

    assert "Release ready" not in out.getvalue()


def test_release_refuses_outside_production(settings, tmp_path):
    settings.PRODUCTION = False
    settings.STATIC_ROOT = tmp_path / "static"

    with pytest.raises(CommandError, match="DJANGO_ENV is not production"):
        call_command("release")

    assert not settings.STATIC_ROOT.exists()


def env_file(path: Path, **values: str) -> Path:
    """deploy/helpdesk.env.example with `values` in place of the lines that set them
    (an empty value drops the line), as an operator fills it in."""
    lines = []
    for line in ENV_EXAMPLE.read_text().splitlines():
        name = line.split("=", 1)[0]
        if name in values:
            line = f"{name}={values.pop(name)}" if values[name] else ""
        lines.append(line)
    lines += [f"{name}={value}" for name, value in values.items() if value]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_manage_sh_releases_with_the_example_environment_file(tmp_path):
    """The example, filled in, is read by the shell as systemd reads it; on SQLite here."""
    var_dir = tmp_path / "var"
    environment = env_file(
        tmp_path / "helpdesk.env",
        VAR_DIR=str(var_dir),
        SECRET_KEY="a-long-random-secret-key-for-this-test-only-0123456789",
        DATABASE_URL="",
        REDIS_URL="",
        CACHE_URL="",
        DEFAULT_FROM_EMAIL='"Help desk <support@example.com>"',
    )

    result = subprocess.run(
        [str(DEPLOY / "manage.sh"), "release"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HELPDESK_ENV_FILE": str(environment)},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Release ready" in result.stdout
    assert (var_dir / "staticfiles" / "staticfiles.json").exists()
    with sqlite3.connect(var_dir / "helpdesk.sqlite3") as database:
        [(applied,)] = database.execute("SELECT count(*) FROM django_migrations").fetchall()
    assert applied > 50


def test_release_against_an_unreachable_database_fails_before_collecting(tmp_path):
    environment = env_file(
        tmp_path / "helpdesk.env",
        VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="a-long-random-secret-key-for-this-test-only-0123456789",
        DATABASE_URL="postgres://helpdesk@127.0.0.1:1/helpdesk",
        REDIS_URL="",
        CACHE_URL="",
    )

    result = subprocess.run(
        [str(DEPLOY / "manage.sh"), "release"],
        env={"PATH": "/usr/bin:/bin", "HELPDESK_ENV_FILE": str(environment)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "CommandError: The database could not be migrated" in result.stderr
    assert not (tmp_path / "var" / "staticfiles" / "staticfiles.json").exists()


def test_manage_sh_says_when_the_environment_file_is_missing(tmp_path):
    result = subprocess.run(
        [str(DEPLOY / "manage.sh"), "check"],
        env={"PATH": "/usr/bin:/bin", "HELPDESK_ENV_FILE": str(tmp_path / "none.env")},
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 2
    assert "none.env cannot be read" in result.stderr


def test_the_example_environment_file_lists_every_variable_the_settings_read():
    settings_source = (ROOT / "helpdesk" / "settings.py").read_text()
    read = set(re.findall(r"\benv(?:_bool|_int|_list)?\(\s*\"([A-Z0-9_]+)\"", settings_source))
    listed = set(re.findall(r"^#?([A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))

    assert "SECRET_KEY" in read
    assert read - listed <= {"WEB_PORT"}  # development only: make run's port
    assert listed <= read


def test_nginx_passes_the_largest_request_the_site_accepts_and_not_much_more():
    """Up to Django's own limit (5 files of 10 MiB, the fields, the framing) the request
    reaches Django, which answers a form too large with its own page; nginx refuses only
    what is past it, by less than a megabyte."""
    snippet = (DEPLOY / "nginx-helpdesk.conf").read_text()
    [megabytes] = re.findall(r"^\s*client_max_body_size (\d+)m;", snippet, re.MULTILINE)
    files = django_settings.ATTACHMENT_MAX_FILES * django_settings.ATTACHMENT_MAX_BYTES

    assert files < request_max_bytes() <= int(megabytes) * 2**20 < request_max_bytes() + 2**20
