"""Two-factor login: set up with an authenticator app, asked for after the password,
recovery codes that work once, and the admin behind the same second step."""

import re
import time

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.log import Action
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def code(device):
    """What the app shows now (the clock a test travels to included)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def log_in(client, username, password="secret-password"):
    return client.post(reverse("login"), {"username": username, "password": password})


def actions():
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


def enrol(client):
    """Set up the app from the setup page: the device and the recovery codes shown."""
    client.get(reverse("account:two_factor_setup"))
    device = TOTPDevice.objects.get(confirmed=False)
    answer = client.post(reverse("account:two_factor_setup"), {"code": code(device)}, follow=True)
    codes = re.findall(r'<li class="col mb-1">([0-9a-f]{10})</li>', answer.content.decode())
    return TOTPDevice.objects.get(pk=device.pk), codes


@pytest.fixture
def managers_must(settings):
    settings.REQUIRE_2FA = "managers"


def test_a_manager_sets_up_the_app_before_anything_else(client, manager, managers_must):
    log_in(client, "maya")

    held = client.get(reverse("admin:index"))
    setup = client.get(held.url)
    page = setup.content.decode()

    assert held.status_code == 302
    assert held.url.startswith(reverse("account:two_factor_setup"))
    assert "<svg" in page and 'id="totp-key"' in page
    assert client.get(reverse("cases:queue")).status_code == 302
    device = TOTPDevice.objects.get(user=manager.user, confirmed=False)
    wrong = client.post(reverse("account:two_factor_setup"), {"code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    # A wrong code makes the next wait a moment (django-otp's throttle).
    with time_machine.travel(time.time() + 31, tick=False):
        device, codes = enrol(client)

    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(reverse("admin:index")).status_code == 200
    assert actions()[-3:] == [
        Action.TWO_FACTOR_FAILED,
        Action.RECOVERY_CODES_MADE,
        Action.TWO_FACTOR_ENROLLED,
    ]
    # Shown once: the page does not show them again.
    assert client.get(reverse("account:recovery_codes")).status_code == 302


def test_an_agent_is_not_asked_unless_they_chose_it(client, agent, managers_must):
    assert log_in(client, "ana").url == reverse("cases:queue")
    assert client.get(reverse("cases:queue")).status_code == 200


def test_with_require_all_every_agent_sets_it_up(client, agent, settings):
    settings.REQUIRE_2FA = "all"
    log_in(client, "ana")

    answer = client.get(reverse("cases:queue"))

    assert answer.url.startswith(reverse("account:two_factor_setup"))


@pytest.fixture
def enrolled(client, agent):
    """Ana has set up the app; then she logged out."""
    client.force_login(agent.user)
    device, codes = enrol(client)
    client.post(reverse("logout"))
    return device, codes


def test_after_the_password_the_app_code_is_asked_for(client, enrolled, agent):
    device, _ = enrolled
    log_in(client, "ana")

    held = client.get(reverse("cases:queue"))
    assert held.url == f"{reverse('account:two_factor')}?next={reverse('cases:queue')}"
    assert client.get(reverse("admin:index")).status_code == 302

    with time_machine.travel(time.time() + 60, tick=False):
        right = client.post(held.url, {"code": code(device), "next": reverse("cases:queue")})
        assert right.url == reverse("cases:queue")
        assert client.get(reverse("cases:queue")).status_code == 200


def test_a_wrong_code_is_refused_and_written_down(client, enrolled):
    log_in(client, "ana")

    wrong = client.post(reverse("account:two_factor"), {"code": "123456"})

    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert actions()[-1] == Action.TWO_FACTOR_FAILED
    assert client.get(reverse("cases:queue")).status_code == 302


def test_a_code_used_once_is_not_taken_again(client, enrolled, agent):
    device, _ = enrolled
    with time_machine.travel(time.time() + 120, tick=False):
        used = code(device)
        log_in(client, "ana")
        assert client.post(reverse("account:two_factor"), {"code": used}).status_code == 302
        client.post(reverse("logout"))
        log_in(client, "ana")

        again = client.post(reverse("account:two_factor"), {"code": used})

    assert again.status_code == 400


def test_a_recovery_code_works_once(client, enrolled):
    _, codes = enrolled
    log_in(client, "ana")

    first = client.post(reverse("account:two_factor"), {"code": codes[0].upper()})
    client.post(reverse("logout"))
    log_in(client, "ana")
    with time_machine.travel(time.time() + 60, tick=False):
        second = client.post(reverse("account:two_factor"), {"code": codes[0]})

    assert first.status_code == 302
    assert second.status_code == 400
    assert StaticToken.objects.count() == 9
    assert Action.RECOVERY_CODE_USED in actions()


def test_new_recovery_codes_replace_the_old(client, enrolled):
    _, old = enrolled
    log_in(client, "ana")
    client.post(reverse("account:two_factor"), {"code": old[0]})

    made = client.post(reverse("account:recovery_codes_new"), follow=True)
    new = re.findall(r'<li class="col mb-1">([0-9a-f]{10})</li>', made.content.decode())

    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)


def test_an_agent_turns_it_off_with_a_code_but_a_manager_cannot(
    client, enrolled, manager, managers_must
):
    _, codes = enrolled
    log_in(client, "ana")
    client.post(reverse("account:two_factor"), {"code": codes[0]})

    client.post(reverse("account:two_factor_off"), {"code": codes[1]})

    assert not TOTPDevice.objects.filter(user__username="ana").exists()
    assert actions()[-1] == Action.TWO_FACTOR_REMOVED
    client.post(reverse("logout"))
    assert log_in(client, "ana").url == reverse("cases:queue")

    client.force_login(manager.user)
    enrol(client)
    refused = client.post(reverse("account:two_factor_off"), {"code": "whatever"}, follow=True)
    assert "Your role requires two-factor login" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=manager.user, confirmed=True).exists()


def test_the_admin_login_leads_to_the_same_second_step(client, manager):
    client.force_login(manager.user)
    device, _ = enrol(client)
    client.post(reverse("logout"))

    client.post(reverse("admin:login"), {"username": "maya", "password": "secret-password"})

    held = client.get(reverse("admin:index"))
    assert held.url.startswith(reverse("account:two_factor"))
    with time_machine.travel(time.time() + 60, tick=False):
        client.post(reverse("account:two_factor"), {"code": code(device)})
        assert client.get(reverse("admin:index")).status_code == 200


def test_the_account_page_says_what_is_on(client, agent):
    client.force_login(agent.user)

    off = client.get(reverse("account:page")).content.decode()
    enrol(client)
    on = client.get(reverse("account:page")).content.decode()

    assert "Off: your password alone opens the desk." in off
    assert "10 recovery codes left." in on


def test_at_the_second_step_the_bar_offers_no_desk_links(client, enrolled):
    log_in(client, "ana")

    page = client.get(reverse("account:two_factor")).content.decode()

    nav = page.split("</nav>")[0]
    assert ">Queue<" not in nav and ">Log a case<" not in nav and ">Admin<" not in nav
    assert "Log out" in page


def test_ten_recovery_codes_then_none(client, enrolled, agent):
    _, codes = enrolled
    for code_ in codes:
        log_in(client, "ana")
        assert client.post(reverse("account:two_factor"), {"code": code_}).status_code == 302
        client.post(reverse("logout"))

    log_in(client, "ana")
    with time_machine.travel(time.time() + 60, tick=False):
        spent = client.post(reverse("account:two_factor"), {"code": codes[-1]})

    assert spent.status_code == 400
    assert StaticToken.objects.count() == 0
