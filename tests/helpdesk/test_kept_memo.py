"""Lists every page reads are held in the process for a few seconds, not asked of
Redis on each request; a change made here drops them at once."""

import pytest

from helpdesk.lib import kept as kept_module
from helpdesk.lib.kept import MEMO_SECONDS, kept, kept_drop

pytestmark = pytest.mark.django_db  # a drop waits for the commit too


class Counting:
    """A cache that counts what is asked of it."""

    def __init__(self, key_prefix="a"):
        self.key_prefix = key_prefix
        self.values = {}
        self.gets = 0

    def get(self, key):
        self.gets += 1
        return self.values.get(key)

    def set(self, key, value, seconds):
        self.values[key] = value

    def delete(self, key):
        self.values.pop(key, None)


@pytest.fixture
def cache(monkeypatch):
    counting = Counting()
    monkeypatch.setattr(kept_module, "cache", counting)
    monkeypatch.setattr(kept_module, "memo", {})
    return counting


def test_within_the_memo_time_the_cache_is_not_asked(cache, monkeypatch):
    now = [100.0]
    monkeypatch.setattr(kept_module, "clock", lambda: now[0])
    reads = []

    def read():
        reads.append(1)
        return ["Ana", "Ben"]

    first = kept("lists", read, 300, remember=True)
    now[0] += MEMO_SECONDS - 0.01
    again = kept("lists", read, 300, remember=True)
    assert (first, again, cache.gets, len(reads)) == (["Ana", "Ben"], ["Ana", "Ben"], 1, 1)

    now[0] += 0.02
    kept("lists", read, 300, remember=True)
    assert (cache.gets, len(reads)) == (2, 1)  # from the shared cache, not read again


def test_a_drop_here_forgets_it_at_once(cache):
    kept("lists", lambda: ["Ana"], 300, remember=True)

    kept_drop("lists")

    assert kept("lists", lambda: ["Ana", "Cleo"], 300, remember=True) == ["Ana", "Cleo"]


def test_another_cache_prefix_is_not_served_this_ones(cache, monkeypatch):
    kept("lists", lambda: ["Ana"], 300, remember=True)
    monkeypatch.setattr(kept_module, "cache", Counting(key_prefix="b"))

    assert kept("lists", lambda: ["Ben"], 300, remember=True) == ["Ben"]


def test_without_remember_every_call_asks_the_cache(cache):
    kept("lists", lambda: ["Ana"], 300)
    kept("lists", lambda: ["Ana"], 300)

    assert cache.gets == 2
