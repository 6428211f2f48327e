"""`make run`'s web process, as the Procfile starts it, serves 50 customers who send the
contact form at the same moment: no connection dropped, no error page, every case stored."""

import pytest

from tests.run.webserver import (
    case_count,
    contact_form_rush,
    free_port,
    migrate,
    procfile_command,
    running,
    server_environment,
)

CUSTOMERS = 50


@pytest.fixture
def web_command():
    return procfile_command("web")


def test_the_procfile_web_process_is_a_threaded_server_that_reloads(web_command):
    # The development server answered a share of simultaneous customers with a reset.
    assert "runserver" not in web_command
    assert "--reload" in web_command


def test_fifty_customers_sending_the_form_at_once_each_reach_the_thanks_page(web_command, tmp_path):
    # Every post comes from 127.0.0.1: the per-address limit would refuse all but 20.
    env = server_environment(tmp_path, free_port(), CONTACT_RATE_LIMIT_PER_HOUR=str(CUSTOMERS * 2))
    migrate(env)

    with running(web_command, env, log=tmp_path / "web.log") as base_url:
        outcomes = contact_form_rush(base_url, CUSTOMERS)

    failures = [(number, outcome) for number, outcome in enumerate(outcomes) if outcome != "ok"]
    assert failures == [], (tmp_path / "web.log").read_text()[-4000:]
    assert case_count(tmp_path) == CUSTOMERS
