"""Sentry is switched on by SENTRY_DSN alone, and sends no personal data or private token."""

import json
import os
import subprocess
import sys
from pathlib import Path

from helpdesk.lib.logs import sentry_before_send

ROOT = Path(__file__).resolve().parents[2]
# A DSN at a closed port of this machine: nothing could be delivered, and nothing is sent.
DSN = "http://publickey@127.0.0.1:8849/1"
SENTRY_VARIABLES = {"SENTRY_DSN", "SENTRY_ENVIRONMENT", "SENTRY_TRACES_SAMPLE_RATE"}

READ_CLIENT = """
import json
import helpdesk.settings
import sentry_sdk
client = sentry_sdk.get_client()
options = client.options if client.is_active() else {}
print(json.dumps({
    "active": client.is_active(),
    "send_default_pii": options.get("send_default_pii"),
    "traces_sample_rate": options.get("traces_sample_rate"),
    "environment": options.get("environment"),
    "max_request_body_size": options.get("max_request_body_size"),
    "include_local_variables": options.get("include_local_variables"),
    "integrations": sorted(client.integrations) if client.is_active() else [],
}))
"""


def sentry_in_a_fresh_process(**environment):
    env = {key: value for key, value in os.environ.items() if key not in SENTRY_VARIABLES}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", READ_CLIENT], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_without_a_dsn_sentry_is_not_set_up():
    result = sentry_in_a_fresh_process()

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["active"] is False


def test_a_dsn_sets_sentry_up_with_django_and_celery_and_no_personal_data():
    result = sentry_in_a_fresh_process(SENTRY_DSN=DSN)

    assert result.returncode == 0, result.stderr
    client = json.loads(result.stdout)
    assert client["active"] is True
    assert {"django", "celery"} <= set(client["integrations"])
    assert client["send_default_pii"] is False
    assert client["max_request_body_size"] == "never"
    assert client["include_local_variables"] is False
    assert client["traces_sample_rate"] == 0.0
    assert client["environment"] == "development"


def test_the_environment_and_the_share_of_traces_are_optional_settings():
    result = sentry_in_a_fresh_process(
        SENTRY_DSN=DSN, SENTRY_ENVIRONMENT="staging", SENTRY_TRACES_SAMPLE_RATE="0.25"
    )

    client = json.loads(result.stdout)
    assert (client["environment"], client["traces_sample_rate"]) == ("staging", 0.25)


def test_a_share_of_traces_that_is_not_between_0_and_1_stops_the_start():
    for wrong in ("1.5", "a quarter"):
        result = sentry_in_a_fresh_process(SENTRY_DSN=DSN, SENTRY_TRACES_SAMPLE_RATE=wrong)

        assert result.returncode != 0
        assert "SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1." in result.stderr


def test_an_error_on_a_private_link_reaches_sentry_without_its_token_query_or_cookies():
    event = {
        "request": {
            "url": "https://help.example.com/c/Zm9vYmFyLXNlY3JldC10b2tlbg/",
            "query_string": "email=maria@customer.example",
            "cookies": {"sessionid": "abc"},
            "method": "GET",
        }
    }

    sent = sentry_before_send(event, hint={})

    assert sent["request"] == {"url": "https://help.example.com/c/***/", "method": "GET"}
