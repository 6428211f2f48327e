"""The contact form posted again with the same one-time token: a double click stores
nothing more; anything new (a customer went back, edited and sent again) is never dropped."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.urls import reverse

from cases.models import Attachment, Case, FormSubmission, Message, Status
from contacts.models import Contact
from outbox.models import OutboundEmail
from tests.cases.test_contact_form import PDF, PNG, form_data

pytestmark = pytest.mark.django_db


def post(client, **overrides):
    return client.post(reverse("cases:contact"), form_data(**overrides))


def thanks(client, response) -> str:
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response.url).content.decode()


def test_the_same_content_twice_is_one_case_and_one_message(client, agent, mailoutbox):
    first = post(client)
    second = post(client)

    case = Case.objects.get()
    assert case.messages.count() == 1
    assert FormSubmission.objects.count() == 1
    assert second.url == first.url == f"/contact/thanks/{case.reference}/"
    assert OutboundEmail.objects.count() == 1
    assert "Thank you, we have your request" in thanks(client, second)


def test_a_changed_text_is_added_to_the_case_as_a_follow_up(client, agent, mailoutbox):
    first = post(client)
    case = Case.objects.get()

    second = post(client, message="Sorry, I forgot: the order number is 4471.")

    assert Case.objects.count() == 1
    first_message, follow_up = case.messages.order_by("pk")
    assert first_message.body == "I ordered ten days ago and the tracking has not moved."
    assert follow_up.body == "Sorry, I forgot: the order number is 4471."
    assert follow_up.author_contact == case.contact
    assert case.events.filter(kind="customer_wrote").count() == 1
    assert OutboundEmail.objects.filter(kind="ack").count() == 1  # no second acknowledgement
    assert second.url == f"/contact/thanks/{case.reference}/?sent=added&earlier={case.reference}"
    page = thanks(client, second)
    assert "Thank you, we added your new message" in page
    reference = f'<span class="reference" id="case-reference">{case.reference}</span>'
    assert f"We added your new message to {reference}" in page
    assert first.url != second.url


def test_a_changed_subject_heads_the_follow_up(client, agent):
    post(client)

    post(client, subject="Parcel 4471 never arrived")

    case = Case.objects.get()
    assert case.subject == "My order has not arrived"
    assert case.messages.order_by("pk").last().body == (
        "Subject: Parcel 4471 never arrived\n\n"
        "I ordered ten days ago and the tracking has not moved."
    )


def test_the_same_text_with_other_files_keeps_the_new_files(client, agent):
    post(client, attachments=[SimpleUploadedFile("photo.png", PNG)])

    response = post(client, attachments=[SimpleUploadedFile("receipt.pdf", PDF)])

    case = Case.objects.get()
    first, follow_up = case.messages.order_by("pk")
    assert list(first.attachments.values_list("name", flat=True)) == ["photo.png"]
    assert list(follow_up.attachments.values_list("name", flat=True)) == ["receipt.pdf"]
    assert follow_up.body == first.body
    assert "sent=added" in response.url


def test_the_same_files_again_are_a_double_click(client, agent):
    post(client, attachments=[SimpleUploadedFile("photo.png", PNG)])
    post(client, attachments=[SimpleUploadedFile("photo.png", PNG)])

    assert Message.objects.count() == 1
    assert Attachment.objects.count() == 1


def test_a_file_with_the_same_name_but_other_bytes_is_new_content(client, agent):
    post(client, attachments=[SimpleUploadedFile("notes.txt", b"first version")])
    post(client, attachments=[SimpleUploadedFile("notes.txt", b"second version")])

    assert Message.objects.count() == 2
    assert Attachment.objects.count() == 2


def test_a_double_click_on_the_second_post_adds_nothing_more(client, agent):
    post(client)
    second = post(client, message="The order number is 4471.")
    third = post(client, message="The order number is 4471.")

    assert Message.objects.count() == 2
    assert FormSubmission.objects.count() == 2
    assert third.url.startswith(f"/contact/thanks/{Case.objects.get().reference}/")
    assert second.url.split("?")[0] == third.url


def test_going_back_to_the_first_text_after_a_second_is_a_double_click_of_the_first(client, agent):
    post(client)
    post(client, message="The order number is 4471.")

    post(client)

    assert Message.objects.count() == 2


def test_the_name_and_the_category_alone_are_not_new_content(client, agent):
    post(client)

    post(client, name="Maria José Garcia")

    assert Message.objects.count() == 1
    assert Contact.objects.get().name == "Maria Garcia"


def test_another_address_opens_a_case_of_its_own(client, agent, mailoutbox):
    first = post(client)
    earlier = Case.objects.get()

    second = post(client, email="maria.garcia@work.example", message="From my work address.")

    case = Case.objects.latest("pk")
    assert case != earlier
    assert case.contact.email == "maria.garcia@work.example"
    assert case.submission_token is None  # the token's case stays the first one
    assert earlier.messages.count() == 1
    assert OutboundEmail.objects.filter(kind="ack", to="maria.garcia@work.example").count() == 1
    assert second.url == (
        f"/contact/thanks/{case.reference}/?sent=other-address&earlier={earlier.reference}"
    )
    page = thanks(client, second)
    assert "from another email address, so we opened a new request" in page
    assert case.reference in page
    assert first.url != second.url


def test_then_back_to_the_first_address_adds_to_its_case(client, agent):
    post(client)
    post(client, email="maria.garcia@work.example", message="From my work address.")

    post(client, message="Back at home: the order number is 4471.")

    first = Case.objects.earliest("pk")
    assert first.messages.count() == 2
    assert Case.objects.count() == 2


def test_a_closed_case_stays_closed_and_a_new_case_follows_it_up(client, agent, mailoutbox):
    post(client)
    earlier = Case.objects.get()
    Case.objects.filter(pk=earlier.pk).update(status=Status.CLOSED)

    second = post(client, message="It still has not arrived.")

    case = Case.objects.latest("pk")
    assert case != earlier
    assert case.status == Status.NEW
    assert case.subject == f"Follow-up to {earlier.reference}: My order has not arrived"
    assert case.messages.get().body == "It still has not arrived."
    earlier.refresh_from_db()
    assert earlier.status == Status.CLOSED
    assert earlier.messages.count() == 1
    assert OutboundEmail.objects.filter(kind="ack").count() == 2
    assert (
        second.url
        == f"/contact/thanks/{case.reference}/?sent=follow-up&earlier={earlier.reference}"
    )
    page = thanks(client, second)
    assert f"Your earlier request {earlier.reference} is closed, so we opened a new one" in page

    third = post(client, message="Any news?")  # the next text goes to the follow-up case

    assert case.messages.count() == 2
    assert "sent=added" in third.url


def test_a_resolved_case_opens_again_with_the_new_text(client, agent):
    post(client)
    Case.objects.update(status=Status.RESOLVED)

    response = post(client, message="It came back broken.")

    case = Case.objects.get()
    assert case.status == Status.OPEN
    assert case.messages.count() == 2
    assert "sent=added" in response.url


def test_the_thanks_page_names_no_case_this_browser_did_not_send(client, agent):
    post(client)
    other = Case.objects.get()
    client.cookies.clear()
    post(client, submission_token="9d1f2c1e-0000-4000-8000-000000000001")
    mine = Case.objects.latest("pk")

    url = reverse("cases:contact_thanks", args=[mine.reference])
    page = client.get(url, {"sent": "follow-up", "earlier": other.reference}).content.decode()

    assert other.reference not in page
    assert "Your earlier request is closed" in page


def test_a_staged_file_double_clicked_after_it_was_used_is_the_same_post(client, agent):
    # The first post comes back (no name) and keeps the file; the second sends the form
    # with the file's token; a double click sends that again, after the file was used.
    first = post(client, name="", attachments=[SimpleUploadedFile("photo.png", PNG)])
    [staged] = first.context["form"].staged

    post(client, staged=[staged.token])
    post(client, staged=[staged.token])

    message = Message.objects.get()
    assert list(message.attachments.values_list("name", flat=True)) == ["photo.png"]


@pytest.mark.django_db(transaction=True)
def test_two_identical_posts_at_once_make_one_case(agent):
    barrier = threading.Barrier(2)
    answers = []

    def send():
        client = Client()
        barrier.wait()
        try:
            answers.append(client.post(reverse("cases:contact"), form_data()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [302, 302]
    assert answers[0].url == answers[1].url
    assert Case.objects.count() == 1
    assert Message.objects.count() == 1
