"""A request larger than any form can accept is refused before its body is read.

Django reads a body only when a view (or the CSRF check, on every POST) asks for
request.POST or request.FILES, and then reads all of it: a 1 GiB upload to the contact
form held a worker for about 12 seconds before the form said the files were too big.
This middleware, above everything that reads the body, answers such a request at once
with 413, from its Content-Length header alone.

The limit is what the largest form takes: ATTACHMENT_MAX_FILES files of
ATTACHMENT_MAX_BYTES, the fields (Django's own cap for them, DATA_UPLOAD_MAX_MEMORY_SIZE)
and the multipart framing (a part's headers and boundary, generously, per file).

A body without a Content-Length (chunked) is never read by Django under WSGI: the request
would reach the form empty and fail its CSRF check with a misleading page. It is answered
with 411 (Length Required) instead; browsers always send the length of a form.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

# A multipart part's headers and boundary: a few hundred bytes; this leaves room for long
# file names in any encoding.
PART_OVERHEAD_BYTES = 16 * 1024


def request_max_bytes() -> int:
    """The largest body any form of the site can accept, framing included."""
    files = settings.ATTACHMENT_MAX_FILES
    return (
        files * settings.ATTACHMENT_MAX_BYTES
        + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        + (files + 1) * PART_OVERHEAD_BYTES
    )


def declared_length(request) -> int | None:
    """The body's declared size; None when the header is absent or not a number."""
    value = request.META.get("CONTENT_LENGTH", "")
    try:
        return int(value)
    except ValueError:
        return None


def is_chunked(request) -> bool:
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = declared_length(request)
        if length is None and is_chunked(request):
            return refusal(request, status=411)
        if length is not None and length > request_max_bytes():
            return refusal(request, status=413)
        return self.get_response(request)


def refusal(request, *, status: int) -> HttpResponse:
    """A short page in the visitor's language (the locale middleware has not run yet), or
    JSON under /api/. It says its own length: the server may close the connection rather
    than read the body, and the client must know where the answer ends."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        if status == 413:
            detail = _(
                "What you sent is too large: at most %(files)d files of %(size)d MB each."
            ) % {
                "files": settings.ATTACHMENT_MAX_FILES,
                "size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
            }
        else:
            detail = _("The request did not say its length; send it again from the form.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": detail}, status=status)
        else:
            page = render_to_string(
                "cases/contact_refused.html",
                {
                    "detail": detail,
                    "too_large": status == 413,
                    "LANGUAGE_CODE": language,
                    "SITE_NAME": settings.SITE_NAME,
                },
            )
            response = HttpResponse(page, status=status)
        response["Content-Language"] = language
    response["Content-Length"] = str(len(response.content))
    response["Cache-Control"] = "no-store"
    return response
