"""Failed logins lock out a name and an address for a while (django-axes), saying so the
same way whether or not the name exists; a manager lifts a lock in admin."""

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from audit.log import Action
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def log_in(client, username, password="a-wrong-guess", address="203.0.113.5"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return 3


@pytest.mark.parametrize("username", ["ana", "nobody-by-this-name"])
def test_the_failure_at_the_limit_locks_the_name_out_with_a_429_page(
    client, agent, limit, username
):
    answers = [log_in(client, username) for _ in range(limit)]

    assert [answer.status_code for answer in answers[:-1]] == [200] * (limit - 1)
    assert answers[-1].status_code == 429
    page = answers[-1].content.decode()
    assert "Too many failed logins" in page and "Try again in 15 minutes" in page
    # The right password does not open a locked name, from another address either.
    assert log_in(client, username, "secret-password", address="192.0.2.1").status_code == 429
    assert AuditEntry.objects.filter(action=Action.LOCKED_OUT, actor_name=username).exists()


def test_a_locked_out_page_reads_the_same_for_a_name_that_exists_and_one_that_does_not(
    client, agent, limit
):
    pages = []
    for username in ("ana", "nobody-by-this-name"):
        for _ in range(limit):
            answer = log_in(client, username, address=f"198.51.100.{len(pages) + 1}")
        pages.append(answer.content.decode())
        wrong = log_in(client, username, address="198.51.100.99")
        assert wrong.status_code == 429

    assert pages[0] == pages[1]


def test_one_address_trying_many_names_is_locked_out(client, agent, limit):
    for n in range(limit):
        log_in(client, f"guess-{n}", address="203.0.113.77")

    assert log_in(client, "ana", "secret-password", address="203.0.113.77").status_code == 429
    assert log_in(client, "ana", "secret-password", address="203.0.113.78").status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, agent, limit):
    for _ in range(limit - 1):
        log_in(client, "ana")
    assert log_in(client, "ana", "secret-password").status_code == 302
    client.logout()

    for _ in range(limit - 1):
        assert log_in(client, "ana").status_code == 200


def test_a_manager_lifts_the_lock_in_admin_and_the_log_says_so(client, agent, manager, limit):
    for _ in range(limit):
        log_in(client, "ana")
    attempts = list(AccessAttempt.objects.filter(username="ana"))
    client.force_login(manager.user)

    client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "delete_selected",
            ACTION_CHECKBOX_NAME: [attempt.pk for attempt in attempts],
            "post": "yes",
        },
    )
    client.logout()

    assert log_in(client, "ana", "secret-password").status_code == 302
    (lifted,) = AuditEntry.objects.filter(action=Action.UNLOCKED)
    assert lifted.actor_name == "maya" and lifted.target.startswith("ana from")


def test_the_admin_login_is_locked_out_too(client, manager, limit):
    for _ in range(limit):
        answer = client.post(
            reverse("admin:login"), {"username": "maya", "password": "a-wrong-guess"}
        )

    assert answer.status_code == 429


@pytest.mark.parametrize("username", ["ana", "nobody-by-this-name"])
def test_a_wrong_login_hashes_a_password_whether_or_not_the_name_exists(
    client, agent, monkeypatch, username
):
    """The time a refusal takes is the password hasher's either way (Django's backend
    hashes a throwaway password for a name it does not know)."""
    from django.contrib.auth import hashers

    hashed = []
    real = hashers.get_hasher

    def counting(algorithm="default"):
        hasher = real(algorithm)
        hashed.append(hasher.algorithm)
        return hasher

    monkeypatch.setattr(hashers, "get_hasher", counting)

    assert log_in(client, username).status_code == 200
    assert hashed  # a hash was computed for this attempt
