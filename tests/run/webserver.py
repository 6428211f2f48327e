"""Start the web process of `make run` (the Procfile's `web:` line) and post the contact
form to it from many customers at once.

Also a script, to compare servers under the same load (the Procfile's line by default):

    .venv/bin/python -m tests.run.webserver --clients 50
    .venv/bin/python -m tests.run.webserver --clients 50 \
        --command '.venv/bin/python manage.py runserver 127.0.0.1:${WEB_PORT}'
"""

import argparse
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
# The server under test runs the embedded default: SQLite and the file broker in VAR_DIR.
SERVER_UNSET = {
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_URL",
    "DJANGO_ENV",
    "DEBUG",
    "SITE_URL",
    "ATTACHMENT_ROOT",
    "EMAIL_BACKEND",
    "SENTRY_DSN",
}


def procfile_command(name: str) -> str:
    """The command line the Procfile gives process `name`, as honcho runs it (with sh)."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        key, _, command = line.partition(":")
        if key.strip() == name:
            return command.strip()
    raise LookupError(f"No {name}: line in the Procfile")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(var_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in SERVER_UNSET}
    env.update(VAR_DIR=str(var_dir), WEB_PORT=str(port), **extra)
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


@contextmanager
def running(command: str, env: dict[str, str], *, log: Path, wait: float = 60):
    """Run `command` with sh, as honcho does, until the site answers; stop it after."""
    base_url = f"http://127.0.0.1:{env['WEB_PORT']}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["sh", "-c", command],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + wait
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"The web process ended:\n{log.read_text()}")
            try:
                if requests.get(base_url + "/", timeout=5).status_code < 500:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"The web process did not answer in {wait}s:\n{log.read_text()}")
            time.sleep(0.3)
        yield base_url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def hidden_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    value = tag and re.search(r'value="([^"]*)"', tag.group(0))
    if not value:
        raise ValueError(f"No {name} in the contact page")
    return value.group(1)


def reason(error: Exception) -> str:
    """The innermost cause of a failed request, e.g. ConnectionResetError."""
    while error.__cause__ or error.__context__:
        error = error.__cause__ or error.__context__
    return f"({type(error).__name__})"


def customer_posts(base_url: str, number: int, start: threading.Barrier, results: list) -> None:
    """One customer with their own cookies: open the form, wait for the others, send it,
    follow the redirect. Stores "ok" or what went wrong in results[number]."""
    session = requests.Session()
    page = None
    try:
        start.wait(timeout=60)
        response = session.get(f"{base_url}/contact/", timeout=(10, 60))
        if response.status_code != 200:
            results[number] = f"GET /contact/ answered {response.status_code}"
        else:
            page = response.text
    except requests.RequestException as error:
        results[number] = f"GET /contact/: {type(error).__name__} {reason(error)}"
    try:
        # Every customer sends at the same moment, whether or not their page came.
        start.wait(timeout=60)
    except threading.BrokenBarrierError:
        pass
    if page is None:
        return
    data = {
        "csrfmiddlewaretoken": hidden_value(page, "csrfmiddlewaretoken"),
        "submission_token": hidden_value(page, "submission_token"),
        "name": f"Customer {number}",
        "email": f"customer{number}@load.example",
        "subject": f"Order {number} has not arrived",
        "message": f"I ordered on Monday and nothing has come yet (customer {number}).",
        "category": "",
        "website": "",
    }
    try:
        response = session.post(
            f"{base_url}/contact/",
            data=data,
            # As a browser sends the form (multipart), with no file chosen.
            files={"attachments": ("", b"", "application/octet-stream")},
            headers={"Referer": f"{base_url}/contact/"},
            allow_redirects=False,
            timeout=(10, 120),
        )
        location = response.headers.get("Location", "")
        if response.status_code != 302 or "/contact/thanks/" not in location:
            results[number] = f"POST /contact/ answered {response.status_code} {location}".strip()
            return
        thanks = session.get(base_url + location, timeout=(10, 60))
        if thanks.status_code != 200:
            results[number] = f"GET thanks page answered {thanks.status_code}"
            return
        results[number] = "ok"
    except requests.RequestException as error:
        results[number] = f"POST /contact/: {type(error).__name__} {reason(error)}"


def contact_form_rush(base_url: str, clients: int) -> list[str]:
    """`clients` customers open the contact form and send it all at once: each one's outcome."""
    results: list[str] = ["no answer"] * clients
    start = threading.Barrier(clients)
    threads = [
        threading.Thread(target=customer_posts, args=(base_url, number, start, results))
        for number in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def case_count(var_dir: Path) -> int:
    with sqlite3.connect(var_dir / "helpdesk.sqlite3") as connection:
        return connection.execute("SELECT count(*) FROM cases_case").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--command", default=procfile_command("web"), help="the web command, as in the Procfile"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hd-rush-") as folder:
        var_dir = Path(folder)
        env = server_environment(
            var_dir, free_port(), CONTACT_RATE_LIMIT_PER_HOUR=str(arguments.clients * 10)
        )
        migrate(env)
        print(f"web: {arguments.command}")
        with running(arguments.command, env, log=var_dir / "web.log") as base_url:
            began = time.monotonic()
            results = contact_form_rush(base_url, arguments.clients)
            seconds = time.monotonic() - began
        outcomes = Counter(results)
        failed = arguments.clients - outcomes["ok"]
        print(f"{arguments.clients} customers in {seconds:.1f}s: {failed} failed")
        for outcome, count in outcomes.most_common():
            print(f"  {count:3d}  {outcome}")
        print(f"cases stored: {case_count(var_dir)}")


if __name__ == "__main__":
    main()
