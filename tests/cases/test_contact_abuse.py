"""A body larger than any form accepts is refused with 413 before it is read.

The live tests talk to a real server over a socket: they declare a 1 GiB body, send a few
bytes of it, and expect the answer at once. A server that read the body first would wait
for the other 1,073,741,800 bytes, and the test would time out instead.
"""

import io
import socket
import threading
import time

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.test import RequestFactory

from helpdesk.lib import request_size

GIB = 1024**3
CSRF_COOKIE = "a" * 32


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self):
        return True

    def readinto(self, buffer):
        raise AssertionError("the body was read")


def test_the_limit_is_five_files_of_10_mb_plus_the_fields_and_the_framing(settings):
    settings.ATTACHMENT_MAX_FILES = 5
    settings.ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

    assert request_size.request_max_bytes() == 5 * 10 * 1024 * 1024 + 2_621_440 + 6 * 16 * 1024


def test_it_follows_the_form_settings(settings):
    settings.ATTACHMENT_MAX_FILES = 2
    settings.ATTACHMENT_MAX_BYTES = 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    assert request_size.request_max_bytes() == 2 * 1024 + 1000 + 3 * 16 * 1024


def through_middleware(length: str | None, **headers):
    """The middleware's answer to a POST that declares `length`, and whether it let the
    request through (to a view that would read the body)."""
    passed = []
    middleware = request_size.RequestSizeMiddleware(lambda request: passed.append(request))
    environ = {"wsgi.input": Unreadable(), **headers}
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    request = RequestFactory().generic("POST", "/contact/", **environ)
    if length is None:
        request.META.pop("CONTENT_LENGTH", None)
    response = middleware(request)
    return response, bool(passed)


def test_a_body_of_exactly_the_limit_goes_through():
    response, passed = through_middleware(str(request_size.request_max_bytes()))

    assert passed


def test_one_byte_more_is_refused_without_reading_it():
    response, passed = through_middleware(str(request_size.request_max_bytes() + 1))

    assert not passed
    assert response.status_code == 413
    assert "Too large to send" in response.content.decode()
    assert "at most 5 files of 10 MB each" in response.content.decode()
    assert response["Content-Length"] == str(len(response.content))


def test_a_chunked_body_without_a_length_is_refused_with_411():
    # Django never reads a body whose length is not declared: the form would get nothing
    # and fail its CSRF check. It is told plainly instead.
    response, passed = through_middleware(None, HTTP_TRANSFER_ENCODING="chunked")

    assert not passed
    assert response.status_code == 411
    assert "did not say its length" in response.content.decode()


def test_a_request_without_a_body_goes_through():
    response, passed = through_middleware(None)

    assert passed


@pytest.fixture
def server():
    """The site on a real socket, in a thread: the development server Django's own live
    tests use. The refused requests never reach the database."""
    httpd = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler, allow_reuse_address=False)
    httpd.set_app(WSGIHandler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address
    httpd.shutdown()
    httpd.server_close()


def declare_and_wait(address, path, *, length=GIB, extra=b"") -> tuple[bytes, float]:
    """Send a POST's headers declaring `length` bytes and only the first 26 of them; the
    server's whole answer, and how long it took to come (at most 5 seconds: then the
    server is waiting for the body, and this fails with a timeout)."""
    started = time.monotonic()
    with socket.create_connection(address, timeout=5) as connection:
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: testserver\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            # With a CSRF cookie and no header, the CSRF check looks for its token in the
            # body: without the guard, the form's first reader is the CSRF check.
            f"Cookie: csrftoken={CSRF_COOKIE}\r\n"
            f"Content-Length: {length}\r\n".encode()
            + extra
            + b"\r\n--x\r\nContent-Disposition: fo"
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += connection.recv(65536)
        head, _, body = answer.partition(b"\r\n\r\n")
        size = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        while len(body) < size:
            body += connection.recv(65536)
        elapsed = time.monotonic() - started
    return head + b"\r\n\r\n" + body, elapsed


def test_a_1_gib_post_to_the_contact_form_is_answered_at_once(server):
    answer, elapsed = declare_and_wait(server, "/contact/")

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"Too large to send" in answer
    assert elapsed < 0.5, f"answered after {elapsed:.2f} s"


def test_the_refusal_is_in_the_visitors_language(server):
    answer, _ = declare_and_wait(server, "/contact/", extra=b"Accept-Language: fr-FR,fr;q=0.9\r\n")

    assert b"Content-Language: fr" in answer
    assert b'<html lang="fr">' in answer


@pytest.mark.parametrize(
    "path",
    [
        "/c/case/HD-000001/reply/",  # the customer's reply, with files
        "/desk/cases/HD-000001/reply/",  # the agent's, before the login is even checked
        "/accounts/login/",
    ],
)
def test_every_page_refuses_it_at_once(server, path):
    answer, elapsed = declare_and_wait(server, path)

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert elapsed < 0.5, f"{path} answered after {elapsed:.2f} s"


def test_the_api_refuses_it_in_json(server):
    answer, elapsed = declare_and_wait(server, "/api/v1/cases/")

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"Content-Type: application/json" in answer
    assert b'{"detail": "What you sent is too large' in answer
    assert elapsed < 0.5
