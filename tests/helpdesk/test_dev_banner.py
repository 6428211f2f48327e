"""make run's banner: the addresses and logins, once the web server answers."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

from django.core.management import call_command


class Ok(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_banner_waits_for_the_web_server_then_names_every_address(settings):
    server = HTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SITE_URL = f"http://127.0.0.1:{server.server_port}"
    out = StringIO()

    call_command("dev_banner", "--once", "--wait", "5", stdout=out)
    server.shutdown()

    text = out.getvalue()
    assert f"Help desk on {settings.SITE_URL}/" in text
    assert f"{settings.SITE_URL}/dev/mail/" in text
    assert "agent1" in text and "manager" in text and "Ctrl-C" in text
