"""A small SMTP server for the outbox's tests, on a free loopback port. It answers as
told (451 while the test says the server is down, 550 for an unknown address, 421 at
the greeting, or hangs up at once), and keeps each recipient it was asked to take, with
the time (simulated, under time-machine), and each message it accepted."""

import re
import socketserver
import threading
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from django.utils import timezone

ACCEPTED = "250 2.1.5 OK"
TRY_AGAIN_LATER = "451 4.3.0 Try again later"


@dataclass(frozen=True)
class Try:
    at: datetime
    to: str
    answer: str


class SmtpServer:
    """Answers: `greeting` (None: hang up at once), `mail_answer` to MAIL FROM,
    `recipient_answer` to every RCPT TO but the addresses in `refused`, `data_answer`
    to the message."""

    def __init__(self):
        self.greeting: str | None = "220 mail.test ESMTP"
        self.mail_answer = "250 2.1.0 OK"
        self.recipient_answer = ACCEPTED
        self.refused: dict[str, str] = {}
        self.data_answer = "250 2.0.0 Queued"
        self.tries: list[Try] = []
        self.received: list[EmailMessage] = []
        self.server = ThreadingServer(("127.0.0.1", 0), Session)
        self.server.smtp = self
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def outage(self, answer: str = TRY_AGAIN_LATER) -> None:
        self.recipient_answer = answer

    def recover(self) -> None:
        self.recipient_answer = ACCEPTED

    def tried(self, to: str) -> list[datetime]:
        """When the server was asked to take mail for `to`, in order."""
        return [attempt.at for attempt in self.tries if attempt.to == to]

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def delivered_to(self) -> list[str]:
        return [message["To"] for message in self.received]


class ThreadingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    smtp: SmtpServer


class Session(socketserver.StreamRequestHandler):
    def say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        smtp = self.server.smtp
        if smtp.greeting is None:
            return
        self.say(smtp.greeting)
        if not smtp.greeting.startswith("220"):
            return
        recipients = []
        for line in self.rfile:
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.say("250 mail.test")
            elif verb == "MAIL":
                recipients = []
                self.say(smtp.mail_answer)
            elif verb == "RCPT":
                to = re.search(r"<([^>]*)>", command).group(1)
                answer = smtp.refused.get(to, smtp.recipient_answer)
                smtp.tries.append(Try(timezone.now(), to, answer))
                if answer.startswith("2"):
                    recipients.append(to)
                self.say(answer)
            elif verb == "DATA" and not recipients:
                self.say("554 5.5.1 No valid recipients")
            elif verb == "DATA":
                self.say("354 End data with <CR><LF>.<CR><LF>")
                message = self.message()
                if smtp.data_answer.startswith("2"):
                    smtp.received.append(message)
                self.say(smtp.data_answer)
            elif verb == "RSET":
                recipients = []
                self.say("250 2.0.0 OK")
            elif verb == "NOOP":
                self.say("250 2.0.0 OK")
            elif verb == "QUIT":
                self.say("221 2.0.0 Bye")
                return
            else:
                # RFC 5321's answer to a verb it does not know.
                self.say("500 5.5.1 Command unrecognized")

    def message(self) -> EmailMessage:
        lines = []
        for line in self.rfile:
            if line == b".\r\n":
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
        return message_from_bytes(b"".join(lines), policy=policy.default)
