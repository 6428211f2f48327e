"""Mail in development: one line on the console per mail, the whole message kept under
var/mail/ and readable at /dev/mail/ (DEBUG only, 404 otherwise), links working.

A newcomer running `make run` follows the customer's side by clicking: the
acknowledgement's private link, the rating links, fresh links from /c/.
"""

import re
import secrets
from email import policy
from email.parser import BytesParser
from pathlib import Path

from csp.decorators import csp_exempt
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

NAME_RE = re.compile(r"^[0-9]{8}T[0-9]{6}-[0-9a-f]{8}$")
LISTED = 200


def mail_dir() -> Path:
    return Path(settings.VAR_DIR) / "mail"


class DevMailBackend(BaseEmailBackend):
    """Keep each message as an .eml file and print one line saying where to read it."""

    def send_messages(self, email_messages):
        folder = mail_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
            (folder / f"{name}.eml").write_bytes(message.message().as_bytes())
            print(
                f"Mail to {', '.join(message.to)}: {message.subject}  "
                f"→ {settings.SITE_URL}/dev/mail/{name}/",
                flush=True,
            )
        return len(email_messages)


def _read(path: Path):
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def _development_only():
    if not settings.DEBUG:
        raise Http404


@require_safe
def mail_list(request):
    _development_only()
    paths = sorted(mail_dir().glob("*.eml"), reverse=True)[:LISTED]
    mails = []
    for path in paths:
        message = _read(path)
        mails.append({"name": path.stem, "to": message["To"], "subject": message["Subject"]})
    return render(request, "dev/mail_list.html", {"mails": mails, "folder": mail_dir()})


@csp_exempt()  # development only: the mail's own HTML, in a sandboxed frame, keeps its styles
@require_safe
def mail_detail(request, name):
    _development_only()
    path = mail_dir() / f"{name}.eml"
    if not NAME_RE.match(name) or not path.is_file():
        raise Http404
    message = _read(path)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return render(
        request,
        "dev/mail_detail.html",
        {
            "name": name,
            "message": message,
            "headers": [(key, message[key]) for key in ("From", "To", "Reply-To", "Subject")],
            "text": text.get_content() if text else "",
            "html": html.get_content() if html else "",
        },
    )
