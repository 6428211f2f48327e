"""The admin index warns when beat is late, no worker runs, or mail is stuck; at the limit
it still says nothing."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse

from tests.health.helpers import heartbeat_at, mail_stored_at

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
BANNER = 'id="health-banner"'


@pytest.fixture
def admin_index(client, manager):
    client.force_login(manager.user)

    def page():
        with time_machine.travel(NOW, tick=False):
            response = client.get(reverse("admin:index"))
        assert response.status_code == 200
        return response.content.decode()

    return page


def test_all_well_shows_no_banner(admin_index):
    heartbeat_at(beat=NOW, worker=NOW)
    mail_stored_at(NOW - timedelta(minutes=3))

    assert BANNER not in admin_index()


@pytest.mark.parametrize(
    ("ago", "shown"), [(timedelta(minutes=5), False), (timedelta(minutes=5) + SECOND, True)]
)
def test_a_beat_silent_for_over_five_minutes_raises_the_banner(admin_index, ago, shown):
    heartbeat_at(beat=NOW - ago, worker=NOW)

    page = admin_index()

    assert (BANNER in page) is shown
    assert ("Beat has sent no heartbeat for 5\xa0minutes." in page) is shown


@pytest.mark.parametrize(
    ("waited", "shown"), [(timedelta(minutes=15), False), (timedelta(minutes=15) + SECOND, True)]
)
def test_mail_waiting_over_fifteen_minutes_raises_the_banner(admin_index, waited, shown):
    heartbeat_at(beat=NOW, worker=NOW)
    mail_stored_at(NOW - waited)

    page = admin_index()

    assert (BANNER in page) is shown
    assert ("Mail is stuck: 1 mail has waited 15\xa0minutes." in page) is shown


def test_a_silent_worker_raises_the_banner_and_links_the_health_page(admin_index):
    heartbeat_at(beat=NOW, worker=NOW - timedelta(minutes=6))

    page = admin_index()

    assert "No worker has run a heartbeat for 6\xa0minutes." in page
    assert f'href="{reverse("healthz")}"' in page


def test_a_late_beat_is_named_once_not_again_as_a_silent_worker(admin_index):
    heartbeat_at(beat=NOW - timedelta(hours=1), worker=NOW - timedelta(hours=1))

    page = admin_index()

    assert "Beat has sent no heartbeat for 1\xa0hour." in page
    assert "worker" not in page.split(BANNER)[1].split("</ul>")[0]


def test_other_admin_pages_carry_no_banner(client, manager):
    client.force_login(manager.user)

    page = client.get(reverse("admin:outbox_outboundemail_changelist")).content.decode()

    assert BANNER not in page


@pytest.mark.parametrize("waiting", [3, 30])
def test_the_banner_costs_two_queries(db, assert_queries, waiting):
    heartbeat_at(beat=NOW, worker=NOW)
    for minutes in range(waiting):
        mail_stored_at(NOW - timedelta(minutes=minutes))
    banner = Template("{% load health_banner %}{% health_banner %}")

    # the heartbeat row; count and oldest of the unsent mail (pending index)
    with time_machine.travel(NOW, tick=False), assert_queries(2):
        html = banner.render(Context())

    stuck = "Mail is stuck: 30 mails are waiting, the oldest for 29\xa0minutes."
    assert (stuck in html) is (waiting == 30)
