import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agents.models import Agent
from cases.models import Case, Channel, Status
from contacts.models import Contact

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_every_status_and_channel_once(settings):
    call_command("seed_demo")
    call_command("seed_demo")

    assert get_user_model().objects.filter(username__startswith="agent").count() == 5
    assert Agent.objects.filter(away_until__isnull=False, backup__isnull=False).count() == 1
    assert Contact.objects.filter(owner__isnull=False).count() == 20
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Case.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert get_user_model().objects.get(username="manager").check_password("demo")


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="refuses to run"):
        call_command("seed_demo")
    assert not Agent.objects.exists()
