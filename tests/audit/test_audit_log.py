"""The audit log: who did what and from where, added to and never changed."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from agents.models import Team
from audit.admin import AuditedModelAdmin
from audit.log import Action, audit_record
from audit.models import AuditEntry
from cases.models import Attachment, CannedAnswer, CaseEvent, Message, SlaOutcome
from contacts.models import OwnerChange
from outbox.models import OutboundEmail
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


def test_a_login_is_recorded_with_who_and_from_where(client, agent):
    response = client.post(
        reverse("login"),
        {"username": "ana", "password": "secret-password"},
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 302
    (entry,) = entries(Action.LOGIN)
    assert (entry.actor, entry.actor_name, entry.address) == (agent.user, "ana", "203.0.113.9")


@pytest.mark.parametrize("username", ["ana", "nobody-by-this-name"])
def test_a_failed_login_records_the_name_typed_and_never_the_password(client, agent, username):
    client.post(
        reverse("login"),
        {"username": username, "password": "a-wrong-guess"},
        REMOTE_ADDR="198.51.100.7",
    )

    (entry,) = entries(Action.LOGIN_FAILED)
    assert (entry.actor, entry.actor_name, entry.address) == (None, username, "198.51.100.7")
    assert "a-wrong-guess" not in f"{entry.detail} {entry.target} {entry.actor_name}"
    assert entries(Action.LOGIN) == []


def test_a_logout_is_recorded(client, agent):
    client.force_login(agent.user)

    client.post(reverse("logout"))

    (entry,) = entries(Action.LOGOUT)
    assert entry.actor == agent.user


def test_admin_additions_changes_and_deletions_are_recorded(client, manager):
    client.force_login(manager.user)

    client.post(reverse("admin:agents_team_add"), {"name": "Billing"})
    team = Team.objects.get(name="Billing")
    client.post(reverse("admin:agents_team_change", args=[team.pk]), {"name": "Billing desk"})
    answers = [CannedAnswer.objects.create(title=f"Answer {n}", body="Hello") for n in range(2)]
    client.post(
        reverse("admin:cases_cannedanswer_changelist"),
        {
            "action": "delete_selected",
            ACTION_CHECKBOX_NAME: [answer.pk for answer in answers],
            "post": "yes",
        },
    )

    (added,) = entries(Action.ADMIN_ADDED)
    (changed,) = entries(Action.ADMIN_CHANGED)
    deleted = entries(Action.ADMIN_DELETED)
    assert (added.actor_name, added.target_type, added.target_id) == (
        "maya",
        "agents.team",
        str(team.pk),
    )
    assert changed.target == "Billing desk" and "Name" in changed.detail
    assert sorted(entry.target for entry in deleted) == ["Answer 0", "Answer 1"]
    assert CannedAnswer.objects.count() == 0


def test_every_admin_page_of_the_project_is_audited():
    registered = [model for model in apps.get_models() if admin.site.is_registered(model)]
    unaudited = [
        model._meta.label
        for model in registered
        if not isinstance(admin.site.get_model_admin(model), AuditedModelAdmin)
    ]

    assert len(registered) > 20 and unaudited == []


def test_an_entry_is_never_changed_or_deleted_through_the_orm(agent):
    entry = audit_record(Action.LOGIN, actor=agent.user)

    entry.detail = "rewritten"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="rewritten")
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the table's own refusal is a PostgreSQL trigger (CI runs this there)",
)
@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_auditentry SET detail = 'x'", "DELETE FROM audit_auditentry"],
)
def test_the_database_refuses_to_change_an_entry(agent, statement):
    audit_record(Action.LOGIN, actor=agent.user)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert AuditEntry.objects.count() == 1


def test_managers_read_and_filter_the_log_in_admin_but_cannot_change_it(client, manager, agent):
    audit_record(Action.LOGIN, actor=agent.user)
    entry = audit_record(Action.LINK_REVOKED, actor=agent.user)
    client.force_login(manager.user)  # a login of its own
    listing = reverse("admin:audit_auditentry_changelist")

    filtered = client.get(listing, {"action__exact": "link_revoked"})
    page = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    post = client.post(
        reverse("admin:audit_auditentry_change", args=[entry.pk]), {"detail": "rewritten"}
    )

    assert [row.pk for row in filtered.context["cl"].result_list] == [entry.pk]
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


@pytest.mark.parametrize(
    "model",
    [AuditEntry, CaseEvent, Message, Attachment, SlaOutcome, OutboundEmail, OwnerChange],
)
def test_records_of_what_happened_are_read_only_in_admin(rf, manager, model):
    request = rf.get("/admin/")
    request.user = manager.user  # a superuser: only the admin page itself says no
    page = admin.site.get_model_admin(model)

    assert page.has_view_permission(request)
    assert not page.has_add_permission(request)
    assert not page.has_change_permission(request)
    assert not page.has_delete_permission(request)


def test_agents_users_and_cases_are_never_deleted_in_admin(client, manager, agent):
    case = CaseFactory()
    client.force_login(manager.user)

    for name, pk in [
        ("admin:agents_agent_delete", agent.pk),
        ("admin:auth_user_delete", agent.user.pk),
        ("admin:cases_case_delete", case.pk),
    ]:
        assert client.post(reverse(name, args=[pk]), {"post": "yes"}).status_code == 403, name

    agent.refresh_from_db()
    case.refresh_from_db()


def test_revoking_customer_links_is_recorded(client, agent):
    case = CaseFactory(assignee=agent)
    client.force_login(agent.user)

    client.post(reverse("cases:revoke_links", args=[case.reference]), REMOTE_ADDR="192.0.2.4")

    (entry,) = entries(Action.LINK_REVOKED)
    assert (entry.actor, entry.target, entry.address) == (agent.user, case.reference, "192.0.2.4")
