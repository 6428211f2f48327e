"""Files chosen on a form that comes back are kept on the server for the next try."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import links, staging
from cases.models import Attachment, Case, Phrase, StagedFile
from tests.factories import CaseFactory, ContactFactory, MessageFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
STAGED = re.compile(r'name="staged" value="([\w-]+)"')


def pdf(name="quote.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def staged_tokens(page: str) -> list[str]:
    return STAGED.findall(page)


def stored_path(staged: StagedFile) -> Path:
    return Path(settings.ATTACHMENT_ROOT) / staged.file.name


@pytest.fixture
def case(agent):
    contact = ContactFactory(name="Maria Garcia", email="maria@customer.example", owner=agent)
    case = CaseFactory(contact=contact, assignee=agent, team=agent.team, subject="Printer on fire")
    MessageFactory(case=case, body="My printer is on fire.")
    return case


@pytest.fixture
def desk(client, agent):
    client.force_login(agent.user)
    return client


def reply(desk, case, **data):
    data.setdefault("seen_version", Case.objects.get(pk=case.pk).version)
    data.setdefault("action", "reply")
    return desk.post(reverse("cases:reply", args=[case.reference]), data)


# The desk reply


def test_a_reply_stopped_by_the_phrase_guide_keeps_its_file_and_sends_it_next(desk, case):
    Phrase.objects.create(avoid="unfortunately", prefer="here is what we can do")

    warned = reply(desk, case, body="Unfortunately, see the quote.", attachments=pdf())
    page = desk.get(warned.url).content.decode()

    [token] = staged_tokens(page)
    assert "quote.pdf" in page and 'id="choose-again"' not in page
    staged = StagedFile.objects.get(token=token)
    assert stored_path(staged).read_bytes() == PDF
    sent = reply(desk, case, body="Unfortunately, see the quote.", send_anyway="True", staged=token)
    assert sent.status_code == 302
    [attachment] = Attachment.objects.all()
    assert (attachment.name, attachment.content_type) == ("quote.pdf", "application/pdf")
    assert attachment.file.read() == PDF
    assert not StagedFile.objects.exists() and not stored_path(staged).exists()


def test_a_reply_with_an_error_keeps_its_file_and_a_second_file_joins_it(desk, case):
    failed = reply(desk, case, body="", attachments=pdf("first.pdf"))

    assert failed.status_code == 400
    [token] = staged_tokens(failed.content.decode())
    again = reply(desk, case, body="", staged=token, attachments=pdf("second.pdf"))
    tokens = staged_tokens(again.content.decode())
    assert len(tokens) == 2 and tokens[0] == token
    sent = reply(desk, case, body="Both quotes attached.", staged=tokens)
    assert sent.status_code == 302
    names = list(Attachment.objects.order_by("pk").values_list("name", flat=True))
    assert names == ["first.pdf", "second.pdf"]


def test_a_reply_after_a_collision_keeps_its_file(desk, case):
    seen = case.version
    Case.objects.filter(pk=case.pk).update(version=seen + 1, priority=1)

    collided = reply(desk, case, body="Here it is.", attachments=pdf(), seen_version=seen)
    page = desk.get(collided.url).content.decode()

    [token] = staged_tokens(page)
    assert reply(desk, case, body="Here it is.", staged=token).status_code == 302
    assert Attachment.objects.get().name == "quote.pdf"


def test_an_unticked_file_is_left_out(desk, case):
    [token] = staged_tokens(reply(desk, case, body="", attachments=pdf()).content.decode())

    assert reply(desk, case, body="No file after all.").status_code == 302

    assert not Attachment.objects.exists()
    assert StagedFile.objects.filter(token=token).exists()  # the sweep removes it


def test_another_agents_staged_file_cannot_be_used(client, desk, case, other_agent):
    [token] = staged_tokens(reply(desk, case, body="", attachments=pdf()).content.decode())
    case.assignee = other_agent
    case.save()
    client.force_login(other_agent.user)

    assert reply(client, case, body="Taking their file.", staged=token).status_code == 302

    assert not Attachment.objects.exists()


def test_a_file_that_fails_its_check_is_not_kept_and_its_error_names_it(desk, case):
    fake = SimpleUploadedFile("invoice.pdf", b"MZ not a pdf", content_type="application/pdf")

    page = reply(desk, case, body="Here.", attachments=[fake, pdf()]).content.decode()

    assert "“invoice.pdf” is not really a .pdf file." in page
    assert [s.name for s in StagedFile.objects.all()] == ["quote.pdf"]
    assert 'id="choose-again"' not in page


def test_files_past_the_limit_are_named_to_choose_again(desk, case):
    files = [pdf(f"page{n}.pdf") for n in range(1, 7)]

    page = reply(desk, case, body="All pages.", attachments=files).content.decode()

    assert "Attach at most 5 files." in page
    assert len(staged_tokens(page)) == 5
    assert re.search(r'id="choose-again"[^>]*>[^<]*page6\.pdf', page)


def test_staged_files_count_towards_the_limit(desk, case):
    tokens = staged_tokens(
        reply(
            desk, case, body="", attachments=[pdf(f"p{n}.pdf") for n in range(5)]
        ).content.decode()
    )

    page = reply(desk, case, body="One more.", staged=tokens, attachments=pdf("p5.pdf"))

    assert "Attach at most 5 files." in page.content.decode()
    assert not Attachment.objects.exists()


# Expiry


def test_a_staged_file_serves_for_a_day_then_the_sweep_removes_it(desk, case):
    [token] = staged_tokens(reply(desk, case, body="", attachments=pdf()).content.decode())
    staged = StagedFile.objects.get()
    day = timedelta(hours=settings.STAGED_FILE_HOURS)

    with time_machine.travel(staged.created_at + day, tick=False):
        assert staging.staged_kept(staging.owner_agent(case.assignee.user), [token]) == [staged]
        assert staging.staged_sweep() == 0
    with time_machine.travel(staged.created_at + day + timedelta(seconds=1), tick=False):
        assert staging.staged_kept(staging.owner_agent(case.assignee.user), [token]) == []
        assert staging.staged_sweep() == 1
    assert not StagedFile.objects.exists() and not stored_path(staged).exists()


def test_the_sweep_keeps_younger_files(desk, case):
    reply(desk, case, body="", attachments=pdf("old.pdf"))
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        reply(desk, case, body="", attachments=pdf("new.pdf"))
    later = timezone.now() + timedelta(hours=settings.STAGED_FILE_HOURS, minutes=1)

    assert staging.staged_sweep(now=later) == 1

    assert [s.name for s in StagedFile.objects.all()] == ["new.pdf"]


# Logging a case on the desk


def test_logging_a_case_with_an_error_keeps_its_file(desk):
    data = {"channel": "phone", "priority": "2", "subject": "Cannot print", "body": "Called."}

    failed = desk.post(reverse("cases:new"), {**data, "attachments": pdf()})

    assert failed.status_code == 200
    [token] = staged_tokens(failed.content.decode())
    done = desk.post(
        reverse("cases:new"),
        {**data, "new_name": "Ana", "new_email": "a@x.example", "staged": token},
    )
    assert done.status_code == 302
    assert Attachment.objects.get().name == "quote.pdf"


# The customer's side


def test_a_customer_reply_with_an_error_keeps_its_file(client, case):
    path = re.match(r"https?://[^/]+(/c/[\w-]+/)", links.access_link_create(case=case)).group(1)
    page_url = client.get(path).url
    url = reverse("cases:customer_reply", args=[case.reference])

    failed = client.post(url, {"body": "", "attachments": pdf("photo.pdf")})

    assert failed.status_code == 400
    [token] = staged_tokens(failed.content.decode())
    assert StagedFile.objects.get().owner == f"case:{case.pk}"
    assert client.post(url, {"body": "Photo attached.", "staged": token}).url == page_url
    assert Attachment.objects.get().name == "photo.pdf"


def contact_data(**overrides):
    data = {
        "name": "Maria Garcia",
        "email": "maria@customer.example",
        "subject": "My order has not arrived",
        "message": "The tracking has not moved.",
        "submission_token": "0b6a7d4e-9a8f-4a51-8a39-5f3f6f1c2b11",
    }
    return {**data, **overrides}


def test_the_contact_form_keeps_a_file_across_an_error(client, agent):
    failed = client.post(
        reverse("cases:contact"), contact_data(email="not-an-address", attachments=pdf())
    )

    [token] = staged_tokens(failed.content.decode())
    assert not Case.objects.exists()
    sent = client.post(reverse("cases:contact"), contact_data(staged=token))
    assert sent.status_code == 302
    assert Attachment.objects.get().message.case == Case.objects.get()
    assert not StagedFile.objects.exists()


def test_a_contact_form_file_serves_only_its_own_submission(client, agent):
    failed = client.post(
        reverse("cases:contact"), contact_data(email="not-an-address", attachments=pdf())
    )
    [token] = staged_tokens(failed.content.decode())

    other = contact_data(submission_token="9d0c1d7e-1111-4a51-8a39-5f3f6f1c2b11", staged=token)
    assert client.post(reverse("cases:contact"), other).status_code == 302

    assert not Attachment.objects.exists()


def test_a_honeypot_false_positive_keeps_the_message_and_the_file(client, agent):
    response = client.post(
        reverse("cases:contact"),
        contact_data(website="https://autofill.example", attachments=pdf()),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The tracking has not moved." in page
    assert len(staged_tokens(page)) == 1


def test_past_the_rate_limit_the_form_names_the_files_instead_of_keeping_them(
    client, agent, settings
):
    settings.CONTACT_RATE_LIMIT_PER_HOUR = 0

    response = client.post(reverse("cases:contact"), contact_data(attachments=pdf("receipt.pdf")))

    assert response.status_code == 429
    page = response.content.decode()
    assert re.search(r'id="choose-again"[^>]*>[^<]*receipt\.pdf', page)
    assert not StagedFile.objects.exists()


def test_a_page_posted_again_and_again_keeps_at_most_ten_files(client, case):
    path = re.match(r"https?://[^/]+(/c/[\w-]+/)", links.access_link_create(case=case)).group(1)
    client.get(path)
    url = reverse("cases:customer_reply", args=[case.reference])

    for attempt in range(3):
        files = [pdf(f"try{attempt}-{n}.pdf") for n in range(5)]
        page = client.post(url, {"body": "", "attachments": files}).content.decode()

    assert StagedFile.objects.filter(owner=f"case:{case.pk}").count() == 10
    assert re.search(r'id="choose-again"[^>]*>[^<]*try2-0\.pdf', page)
