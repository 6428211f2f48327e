"""Files whose names are not UTF-8 are kept under a readable name, never dropped."""

from io import BytesIO

import pytest
from django.urls import reverse

from cases.models import Attachment, Case
from helpdesk.lib.uploads import PartHeadersAsUtf8

BOUNDARY = "----formboundary7MA4YWxkTrZu0gW"
FIELDS = {
    "name": "Maria Garcia",
    "email": "maria@customer.example",
    "subject": "My order has not arrived",
    "message": "The receipt is attached.",
    "submission_token": "0b6a7d4e-9a8f-4a51-8a39-5f3f6f1c2b11",
}


def multipart(files: list[tuple[bytes, bytes]], fields=FIELDS) -> bytes:
    """A form body as a client would send it; file names are raw bytes, in any encoding."""
    body = b""
    for name, value in fields.items():
        body += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    for filename, content in files:
        body += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; '.encode()
            + b'filename="'
            + filename
            + b'"\r\nContent-Type: text/plain\r\n\r\n'
            + content
            + b"\r\n"
        )
    return body + f"--{BOUNDARY}--\r\n".encode()


def post_form(client, body: bytes):
    return client.generic(
        "POST",
        reverse("cases:contact"),
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


@pytest.mark.django_db
def test_a_latin1_file_name_is_kept_and_readable(client, agent):
    body = multipart([("résumé de commande.txt".encode("latin-1"), b"Order 4471, paid.")])

    response = post_form(client, body)

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == "résumé de commande.txt"
    assert attachment.file.read() == b"Order 4471, paid."


@pytest.mark.django_db
def test_a_utf8_name_and_a_windows_name_in_one_form_are_both_kept(client, agent):
    body = multipart(
        [
            ("naïve.txt".encode(), b"first file"),
            ("“quoted”.txt".encode("cp1252"), b"second file"),
        ]
    )

    assert post_form(client, body).status_code == 302
    assert sorted(Attachment.objects.values_list("name", flat=True)) == [
        "naïve.txt",
        "“quoted”.txt",
    ]
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_a_name_in_no_known_encoding_still_keeps_the_file(client, agent):
    body = multipart([(b"\x81\x8d\x8f\x90.txt", b"bytes with no meaning as a name")])

    assert post_form(client, body).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name.endswith(".txt")
    assert attachment.file.read() == b"bytes with no meaning as a name"


@pytest.mark.parametrize("read_size", [1, 7, 64, 100, 65536])
def test_the_stream_is_the_same_bytes_when_read_in_any_size(read_size):
    content = b"Header-Like: l\xe9gume\r\n\r\n--almost-a-boundary\xe9\r\n" * 50
    body = multipart([("é.txt".encode("latin-1"), content), (b"b.txt", b"x" * 3000)])
    stream = PartHeadersAsUtf8(BytesIO(body), BOUNDARY.encode())

    chunks = []
    while chunk := stream.read(read_size):
        chunks.append(chunk)

    expected = body.replace('filename="é.txt"'.encode("latin-1"), 'filename="é.txt"'.encode())
    assert b"".join(chunks) == expected
