import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**environment):
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", "import helpdesk.settings as s; print(s.DEBUG)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_secret_key():
    result = load_settings(DJANGO_ENV="production")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_with_debug_on():
    result = load_settings(DJANGO_ENV="production", SECRET_KEY="x" * 50, DEBUG="true")

    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_runs_with_debug_off():
    result = load_settings(DJANGO_ENV="production", SECRET_KEY="x" * 50)

    assert result.returncode == 0
    assert result.stdout.strip() == "False"


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start():
    result = load_settings(TRUSTED_PROXIES="10.0.0.1,proxy.internal")

    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr


def setting(name: str, *, unset: set[str], **environment) -> str:
    """A setting as a fresh process reads it, with `unset` taken out of the environment."""
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", f"import helpdesk.settings as s; print(s.{name})"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def site_url(**environment):
    return setting("SITE_URL", unset={"SITE_URL", "WEB_PORT"}, **environment)


def test_in_development_the_site_address_follows_the_port_served():
    assert site_url(WEB_PORT="8820") == "http://127.0.0.1:8820"
    assert site_url() == "http://127.0.0.1:8000"


def test_an_explicit_site_url_wins_over_the_port():
    assert site_url(WEB_PORT="8820", SITE_URL="https://help.example.com/") == (
        "https://help.example.com"
    )


def test_production_has_no_made_up_site_url():
    assert site_url(DJANGO_ENV="production", SECRET_KEY="x" * 50, WEB_PORT="8820") == ""


def private_webhooks(**environment) -> str:
    unset = {"SECRET_KEY", "DEBUG", "DJANGO_ENV", "WEBHOOKS_ALLOW_PRIVATE"}
    return setting("WEBHOOKS_ALLOW_PRIVATE", unset=unset, **environment)


def test_webhooks_reach_private_addresses_in_development_only():
    assert private_webhooks() == "True"  # make run: a receiver on the same machine
    assert private_webhooks(DJANGO_ENV="production", SECRET_KEY="x" * 50) == "False"
    assert private_webhooks(DEBUG="false") == "False"
    assert private_webhooks(DEBUG="false", WEBHOOKS_ALLOW_PRIVATE="true") == "True"
