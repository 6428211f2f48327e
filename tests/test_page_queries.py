"""Every page a person opens runs the same number of queries with 3 rows as with 30.

A count that grows with the data is an N+1: a query per row that a select_related or
prefetch_related would fold into one. Each test opens its page at both sizes with one
expected number, and its comment lists the queries in the order they run.
"""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import links
from cases.attachments import attachments_store
from cases.models import (
    CannedAnswer,
    Case,
    CaseEvent,
    Notification,
    Phrase,
    Reminder,
    SavedView,
    Status,
)
from contacts.models import OwnerChange
from knowledge.models import Article, ArticleStatus, Audience
from knowledge.services import article_save
from outbox.models import OutboundEmail
from tests.factories import (
    AgentFactory,
    CaseEventFactory,
    CaseFactory,
    CategoryFactory,
    ContactFactory,
    MessageFactory,
    OrganizationFactory,
)
from tests.knowledge.factories import ArticleCategoryFactory, ArticleFactory
from tests.sla_helpers import office_calendar, policy

pytestmark = pytest.mark.django_db

# 30 rows fill every page: the queue and the directory show 25, the knowledge base 20.
by_size = pytest.mark.parametrize("size", [3, 30])


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


def shelf(size):
    """`size` refund articles in Billing and `size` parcel articles in categories of their own,
    voted helpful, beside an internal article and a draft the public never sees."""
    billing = ArticleCategoryFactory(name="Billing", slug="billing")
    for n in range(size):
        ArticleFactory(
            title=f"Refund question {n}",
            slug=f"refund-question-{n}",
            body="Refunds take days.",
            category=billing,
        )
        ArticleFactory(title=f"Parcel question {n}", body="Parcels take two days.")
    ArticleFactory(title="Refund approvals", category=billing, audience=Audience.INTERNAL)
    ArticleFactory(title="Refund for gift cards", category=billing, status=ArticleStatus.DRAFT)
    Article.objects.update(helpful_yes=2, helpful_no=1)
    return billing


# The public knowledge base: anonymous readers, who have no session until they vote.


@by_size
@pytest.mark.parametrize("url", ["/", "/kb/"])
def test_knowledge_base_home_runs_constant_queries(client, assert_queries, size, url):
    shelf(size)
    # categories with their public counts, five most helpful and five newest articles
    # with their category (anonymous: no session, no user)
    with assert_queries(3):
        assert client.get(url).status_code == 200


@by_size
def test_article_page_runs_constant_queries(client, assert_queries, size):
    shelf(size)
    # article with category, five related articles with category (a first-time reader
    # has no session, so there is no vote of theirs to look up)
    with assert_queries(2):
        response = client.get("/kb/refund-question-0/")
    assert len(response.context["related"]) == min(size - 1, 5)


@by_size
def test_search_page_runs_constant_queries(client, assert_queries, size):
    shelf(size)
    # count of matches, page of matches with category and snippet (the snippet is
    # ts_headline on PostgreSQL, the body text cut in Python on SQLite: same query count)
    with assert_queries(2):
        response = client.get(reverse("knowledge:search"), {"q": "refund"})
    assert len(response.context["page"]) == min(size, 20)


@by_size
def test_category_page_runs_constant_queries(client, assert_queries, size):
    billing = shelf(size)
    # category, count of its public articles, page of them with category
    with assert_queries(3):
        response = client.get(billing.get_absolute_url())
    assert len(response.context["page"]) == min(size, 20)


# The contact form and the customer's own pages.


def contact_form(category=None, **fields):
    return {
        "name": "Maria Garcia",
        "email": "maria@customer.example",
        "subject": "My parcel never came",
        "category": category.pk if category else "",
        "message": "I ordered a lamp two weeks ago and it is not here.",
        "submission_token": str(uuid.uuid4()),
        **fields,
    }


@by_size
def test_contact_form_runs_constant_queries(client, assert_queries, size):
    CategoryFactory.create_batch(size)
    # categories for the select (anonymous: no session)
    with assert_queries(1):
        assert client.get(reverse("cases:contact")).status_code == 200


@pytest.fixture
def busy_team(team):
    """A category whose team has `size` agents holding two open cases each."""

    def make(size):
        for agent in AgentFactory.create_batch(size, team=team):
            CaseFactory.create_batch(2, assignee=agent, team=team, status=Status.OPEN)
        return CategoryFactory(name="Deliveries", default_team=team)

    return make


@by_size
def test_sending_the_contact_form_runs_constant_queries(client, assert_queries, busy_team, size):
    category = busy_team(size)
    # the chosen category with its team; savepoint (the view's transaction: in a real
    # request, its BEGIN); contact by email (none); least-loaded available agent of the
    # team, their load row locked (the open-case counts kept by the database: one row each;
    # a row another routing holds is skipped);
    # insert the new contact with that agent as its owner (no savepoint: a race on the
    # address retries the whole transaction), insert owner change; the SLA policies (none
    # here: read once, then kept in the cache); insert case (once, routed and with its due
    # times), insert first message, insert "created" and "routed" events; insert access
    # token; insert the form's post (its token and content digest); count one more in
    # the address's acknowledgement window (made if missing, in the same statement); insert
    # acknowledgement in the outbox; release. (No session: the thanks page is found by a
    # signed cookie. The contact is new, so routing neither locks nor reads it again, and
    # it has never answered us. The acknowledgement is sent by the relay.)
    with assert_queries(15):
        response = client.post(reverse("cases:contact"), contact_form(category))
    assert response.status_code == 302
    assert Case.objects.latest("pk").assignee.team == category.default_team


@by_size
def test_sending_the_contact_form_under_a_policy_reads_it_once(
    client, assert_queries, busy_team, size
):
    category = busy_team(size)
    policy(calendar=office_calendar(), targets={category.default_priority: (60, 120, 480)})
    # the first case reads the policies with their targets, calendars, working hours and
    # holidays, and keeps them in the cache
    with assert_queries(14 + 4):
        client.post(reverse("cases:contact"), contact_form(category))
    # the next one, from someone else, reads none of them
    with assert_queries(14):
        response = client.post(
            reverse("cases:contact"), contact_form(category, email="olu@customer.example")
        )
    assert response.status_code == 302
    case = Case.objects.latest("pk")
    assert case.sla_policy.name == "Standard"
    assert case.first_response_due is not None
    assert case.resolution_due is not None


@by_size
def test_sending_the_contact_form_without_a_category_runs_constant_queries(
    client, assert_queries, busy_team, team, size
):
    busy_team(size)
    team.is_default = True
    team.save()
    # as with a category, less the category's read; the default team comes with the
    # desk's lists (agents, teams, categories: read once, then kept in the cache)
    with assert_queries(17):
        response = client.post(reverse("cases:contact"), contact_form())
    assert response.status_code == 302
    assert Case.objects.latest("pk").team == team
    # the next post reads no list and no policy: a new contact's case is 13 statements
    with assert_queries(13):
        response = client.post(reverse("cases:contact"), contact_form(email="ana@x.example"))
    assert response.status_code == 302
    assert Case.objects.latest("pk").team == team


@by_size
def test_thanks_page_runs_constant_queries(client, assert_queries, size):
    customer = ContactFactory(email="maria@customer.example")
    CaseFactory.create_batch(size, contact=customer)
    thanks = client.post(reverse("cases:contact"), contact_form()).url
    # case with contact (the browser's signed cookie says it sent the form)
    with assert_queries(1):
        assert client.get(thanks).status_code == 200


@by_size
def test_link_request_page_runs_constant_queries(client, assert_queries, size):
    CaseFactory.create_batch(size, contact=ContactFactory(email="maria@customer.example"))
    # none: an empty form, and no session for a visitor who has none
    with assert_queries(0):
        assert client.get(reverse("cases:customer_link_request")).status_code == 200


def with_attachment(message):
    upload = SimpleUploadedFile("notes.txt", b"The lamp arrived broken.")
    attachments_store(message=message, uploads=[upload], content_types=["text/plain"])
    return message


def conversation(case, agents, size):
    """`size` messages from the contact and `size` replies by agents, each with a file, an
    internal note per reply, and `size` timeline events by agents."""
    for n in range(size):
        with_attachment(MessageFactory(case=case))
        agent = agents[n % len(agents)]
        with_attachment(MessageFactory(case=case, author_contact=None, author_agent=agent))
        MessageFactory(case=case, author_contact=None, author_agent=agent, is_internal=True)
        CaseEventFactory(case=case, actor=agent.user, kind=CaseEvent.Kind.STATUS)


@by_size
def test_customer_case_page_runs_constant_queries(client, agent, assert_queries, size):
    case = CaseFactory(assignee=agent, team=agent.team)
    conversation(case, [agent, *AgentFactory.create_batch(2)], size)
    link = links.access_link_create(case=case)
    page = client.get(re.sub(r"^https?://[^/]+", "", link)).url  # the link lets this browser in
    # session, access token with case/contact/assignee's user, messages that are not
    # internal with their authors (agent with user, contact), their attachments
    with assert_queries(4):
        response = client.get(page)
    assert len(response.context["conversation"]) == 2 * size


# The desk: an agent, logged in.


@by_size
def test_queue_runs_constant_queries(desk, agent, assert_queries, size):
    organization = OrganizationFactory()
    AgentFactory.create_batch(size, team=agent.team)
    CaseFactory.create_batch(size, assignee=agent, contact__organization=organization)
    CaseFactory.create_batch(size, team=agent.team, category=CategoryFactory())
    for n in range(size):
        SavedView.objects.create(agent=agent, name=f"View {n}", query=f"priority={n % 4 + 1}")
    # session with user, agent, team and unread count, the select lists (active agents with
    # user, teams, categories: read once, then kept in the cache), count of "My open", saved
    # views, page of cases with contact/organization/assignee's user/team/category
    with assert_queries(7):
        response = desk.get(reverse("cases:queue"))
    assert len(response.context["page"]) == min(size, 25)
    # the next view takes the select lists from the cache
    with assert_queries(4):
        assert desk.get(reverse("cases:queue")).status_code == 200


@by_size
def test_new_case_page_runs_constant_queries(desk, assert_queries, size):
    CategoryFactory.create_batch(size)
    # session with user, agent, team and unread count, categories for the select
    with assert_queries(2):
        assert desk.get(reverse("cases:new")).status_code == 200


@by_size
def test_new_case_page_after_finding_a_contact_runs_constant_queries(desk, assert_queries, size):
    contacts = ContactFactory.create_batch(size, organization=OrganizationFactory())
    query = {"q": "customer.example", "contact": contacts[0].pk}
    # session with user, agent, team and unread count, the chosen contact, ten matching
    # contacts with organization, categories for the select
    with assert_queries(4):
        response = desk.get(reverse("cases:new"), query)
    assert len(response.context["matches"]) == min(size, 10)


@by_size
def test_workspace_runs_constant_queries(desk, agent, other_agent, assert_queries, size):
    contact = ContactFactory(organization=OrganizationFactory(), owner=agent)
    case = CaseFactory(contact=contact, assignee=agent, team=agent.team, subject="Refund please")
    conversation(case, [agent, other_agent], size)
    CaseFactory.create_batch(size, contact=contact, assignee=other_agent)
    CategoryFactory.create_batch(size)  # each with a team of its own, for the escalate form
    AgentFactory.create_batch(size)
    for n in range(size):
        CannedAnswer.objects.create(title=f"Answer {n}", body="Hello {first_name}")
        Phrase.objects.create(avoid=f"phrase {n}", prefer=f"better {n}")
        ArticleFactory(title=f"Refund question {n}")
        OutboundEmail.objects.create(
            case=case,
            kind=OutboundEmail.Kind.REPLY,
            to=contact.email,
            subject="Re: Refund please",
            body_text="Hello",
            message_id_header=f"<stuck-{n}@desk.example>",
            attempts=1,
            last_error="451 4.3.0 Try again later",  # shown, each with its Retry now
            failed_at=case.created_at if n % 2 else None,
        )
    # session with user, agent, team and unread count, case with contact/organization/owner,
    # mail not getting through, the contact's other cases with assignees; what is kept in
    # the cache once read: the canned answers and the phrase guide, the timeline of this
    # version of the case (messages with authors, their attachments, events with actors),
    # the forms' select lists with every agent's name (active agents, teams, categories),
    # the SLA policies (the page names the assignee, team, category, owner, backup and
    # policy from them) and this case's suggested articles (each marked if linked here).
    # The agent has nothing unread, so nothing is marked read.
    with assert_queries(14):
        response = desk.get(reverse("cases:detail", args=[case.reference]))
    assert response.content.decode().count('data-kind="') == 4 * size
    assert response.content.decode().count("/retry/") == min(size, 5)
    # the next view takes all that is kept from the cache
    with assert_queries(4):
        response = desk.get(reverse("cases:detail", args=[case.reference]))
    assert response.content.decode().count('data-kind="') == 4 * size


@by_size
def test_notifications_page_runs_constant_queries(desk, agent, assert_queries, size):
    for case in CaseFactory.create_batch(size, assignee=agent):
        reminder = Reminder.objects.create(
            case=case, kind=Reminder.Kind.WARNING, target="first_response", due_at=case.created_at
        )
        Notification.objects.create(agent=agent, reminder=reminder)
    # session with user, agent, team and unread count, notifications with reminder/case/contact,
    # mark them read
    with assert_queries(3):
        response = desk.get(reverse("cases:notifications"))
    assert len(response.context["items"]) == size


@by_size
def test_contact_directory_runs_constant_queries(desk, assert_queries, size):
    organization = OrganizationFactory()
    owners = AgentFactory.create_batch(3)
    for n in range(size):
        contact = ContactFactory(organization=organization, owner=owners[n % 3])
        CaseFactory(contact=contact, status=Status.OPEN)
    # session with user, agent, team and unread count, count, page of contacts with
    # organization/owner's user and their open cases counted
    with assert_queries(3):
        response = desk.get(reverse("contacts:directory"))
    assert len(response.context["page"]) == min(size, 25)


@by_size
def test_contact_page_runs_constant_queries(desk, agent, other_agent, assert_queries, size):
    agents = [agent, other_agent, *AgentFactory.create_batch(3)]
    contact = ContactFactory(organization=OrganizationFactory(), owner=agent)
    for n in range(size):
        CaseFactory(contact=contact, assignee=agents[n % 5], status=list(Status)[n % 5])
        OwnerChange.objects.create(
            contact=contact,
            previous_owner=agents[n % 5],
            new_owner=agents[(n + 1) % 5],
            actor=agent.user,
        )
    # session with user, agent, team and unread count, contact with organization, owner
    # and the counts of cases and open cases, a page of 25 cases, owner history with the
    # actor; the desk's kept lists (read on the first view: agents, teams, categories)
    # name the agents and fill the owner form (the details form's organization is typed)
    with assert_queries(7):
        response = desk.get(reverse("contacts:detail", args=[contact.pk]))
    assert len(response.context["page"]) == min(size, 25)
    with assert_queries(4):
        response = desk.get(reverse("contacts:detail", args=[contact.pk]))
    assert response.content.decode().count('<tr data-reference="') == min(size, 25)


@by_size
def test_desk_article_list_runs_constant_queries(desk, assert_queries, size):
    shelf(size)
    # session with user, agent, team and unread count, count, page of articles with category
    with assert_queries(3):
        response = desk.get(reverse("knowledge:desk_list"))
    assert len(response.context["page"]) == min(2 * size + 2, 20)


@by_size
def test_desk_article_page_runs_constant_queries(desk, manager, assert_queries, size):
    shelf(size)
    article = Article.objects.get(slug="refund-question-0")
    for n in range(size):
        article.body = f"Refunds take {n} days."
        article_save(article=article, editor=manager.user)
    # session with user, agent, team and unread count, article with category/author/last
    # editor, its other language versions
    with assert_queries(3):
        assert desk.get(reverse("knowledge:desk_article", args=[article.slug])).status_code == 200
