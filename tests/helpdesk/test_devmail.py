"""Mail in development: one console line per mail, the mail itself at /dev/mail/."""

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import reverse

pytestmark = pytest.mark.django_db

LINK = "https://help.example.com/c/abc123/"


@pytest.fixture
def dev_mail(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.EMAIL_BACKEND = "helpdesk.devmail.DevMailBackend"
    return tmp_path / "mail"


def send_acknowledgement():
    message = EmailMultiAlternatives(
        subject="[HD-000001] We have your request",
        body=f"Hi Maria,\n\nFollow your case here: {LINK}\n",
        to=["maria@customer.example"],
        connection=get_connection(),
    )
    message.attach_alternative(f'<p>Follow <a href="{LINK}">your case</a>.</p>', "text/html")
    message.send()


def test_each_mail_is_one_console_line_with_where_to_read_it(dev_mail, capsys):
    send_acknowledgement()

    [line] = capsys.readouterr().out.splitlines()
    [kept] = dev_mail.glob("*.eml")
    assert line.startswith("Mail to maria@customer.example: [HD-000001] We have your request")
    assert line.endswith(f"https://help.example.com/dev/mail/{kept.stem}/")


def test_the_mail_page_lists_and_opens_each_mail_with_working_links(client, settings, dev_mail):
    settings.DEBUG = True
    send_acknowledgement()
    [kept] = dev_mail.glob("*.eml")

    listing = client.get(reverse("dev_mail_list"))
    mail = client.get(reverse("dev_mail_detail", args=[kept.stem]))

    assert "[HD-000001] We have your request" in listing.content.decode()
    page = mail.content.decode()
    assert f'<a href="{LINK}"' in page  # the text, with its link clickable
    assert "srcdoc=" in page and 'sandbox="allow-popups' in page  # the HTML, sandboxed


def test_the_mail_pages_do_not_exist_outside_development(client, settings, dev_mail):
    settings.DEBUG = True
    send_acknowledgement()
    [kept] = dev_mail.glob("*.eml")
    settings.DEBUG = False

    assert client.get(reverse("dev_mail_list")).status_code == 404
    assert client.get(reverse("dev_mail_detail", args=[kept.stem])).status_code == 404


@pytest.mark.parametrize("name", ["nope", "..", "20261128T120000-zzzzzzzz", "x" * 300])
def test_only_a_kept_mail_opens(client, settings, dev_mail, name):
    settings.DEBUG = True

    assert client.get(f"/dev/mail/{name}/").status_code == 404
