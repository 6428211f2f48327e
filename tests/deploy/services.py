"""Real servers for the deployment tests: a private Redis and processes (mail goes to
tests.outbox.smtp_server).

Anything missing is a skip on a developer's machine and a failure with CI=true, as for
the browser journeys: CI installs what these need (.ci/run).
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def missing(reason: str) -> None:
    """Skip for want of `reason`, except on CI, where everything needed is installed."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: .ci/run must provide it)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], object], seconds: float, what: str) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"{what}: not within {seconds} s")


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


@contextmanager
def redis_server(*options: str) -> Iterator[str]:
    """A Redis of the test's own on a free port (options as redis-server takes them):
    its settings can be changed without touching the Redis other tests share."""
    binary = shutil.which("redis-server")
    if not binary:
        missing("redis-server is not installed")
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", folder, *options]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: answers(port) or process.poll() is not None, 10, "redis-server")
            assert process.poll() is None, f"redis-server {options} exited"
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(10)


class Service:
    """A long-running process whose output goes to a file (a pipe nobody reads fills up)."""

    def __init__(self, name: str, command: list[str], *, env: dict, cwd: Path, logs: Path):
        self.name = name
        self.log = logs / f"{name}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, seconds: float = 30) -> int:
        """SIGTERM, as systemd stops a unit; killed (and -9 returned) if it hangs."""
        if self.running():
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
            return -9
