"""The workspace reads its case with contact, organization and owner in one query written
as SQL (Case.objects.for_workspace): what it builds must be what the ORM would build."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cases.models import Case
from tests.factories import CaseFactory, ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_the_case_comes_with_contact_organization_and_owner(agent, django_assert_num_queries):
    contact = ContactFactory(organization=OrganizationFactory(name="Acme"), owner=agent)
    case = CaseFactory(contact=contact, assignee=agent, subject="Printer <on> fire")

    with django_assert_num_queries(1):
        got = Case.objects.for_workspace(case.pk)
        names = (got.contact.name, got.contact.organization.name, got.contact.owner.pk)

    assert names == (contact.name, "Acme", agent.pk)
    expected = Case.objects.get(pk=case.pk)
    for field in Case._meta.concrete_fields:
        assert getattr(got, field.attname) == getattr(expected, field.attname), field.name
    assert got.created_at.tzinfo is not None and got.reference == case.reference
    got.subject = "Printer still on fire"
    got.save()
    assert Case.objects.get(pk=case.pk).subject == "Printer still on fire"
    assert Case.objects.count() == 1


def test_a_contact_without_organization_or_owner(django_assert_num_queries):
    case = CaseFactory(contact=ContactFactory(organization=None, owner=None))

    with django_assert_num_queries(1):
        got = Case.objects.for_workspace(case.pk)
        assert (got.contact.organization, got.contact.owner) == (None, None)


def test_no_such_case_and_a_user_who_may_see_none_find_nothing(agent):
    case = CaseFactory()

    assert Case.objects.for_workspace(case.pk + 1) is None
    assert Case.objects.visible_to(AnonymousUser()).for_workspace(case.pk) is None
    assert Case.objects.visible_to(agent.user).for_workspace(case.pk) == case


@pytest.mark.parametrize("reference", ["HD-" + "9" * 30, "HD-999999999999", "HD-0", "HD-1x"])
def test_a_reference_naming_no_case_is_not_found(client, agent, reference):
    CaseFactory()
    client.force_login(agent.user)

    assert client.get(f"/desk/cases/{reference}/").status_code == 404
