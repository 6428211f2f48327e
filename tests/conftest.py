import uuid

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from helpdesk.celery import app as celery_app
from helpdesk.lib import kept
from helpdesk.lib.ratelimit import cache_breaker
from tests.factories import AgentFactory, ContactFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def isolated_runtime(settings, tmp_path):
    """Each test gets its own attachment folder and its own slice of the cache."""
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    if caches["default"]["BACKEND"].endswith("FileBasedCache"):
        # Its own folder too: in one shared folder the entries of every test pile up
        # past MAX_ENTRIES, and culling then drops a third of them at random, another
        # test's or this one's, between a page's first and second view.
        caches["default"]["LOCATION"] = str(tmp_path / "cache")
    settings.CACHES = caches
    settings.SITE_URL = "https://help.example.com"
    # A cache failure in one test must not switch the rate limit off for the next.
    cache_breaker.failed_at = None
    # Mail goes out right after the commit, as the relay would send it a moment later.
    settings.OUTBOX_SEND_ON_COMMIT = True
    # The second factor and the idle timeout have tests of their own (tests/agents):
    # elsewhere a login is the password alone, and a clock moved on keeps the session.
    settings.REQUIRE_2FA = "none"
    settings.SESSION_IDLE_MINUTES = 0
    # Tests only: a deliberately slow hasher would be most of the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def desk_language():
    """A page asked for in another language leaves it active in the thread (as a worker
    thread would start its next request): the next test starts in the desk's own."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def kept_cache_down(monkeypatch):
    """The cache behind helpdesk.lib.kept fails on every call, as a Redis that is down."""

    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("Redis is down")

        set = delete = get

    monkeypatch.setattr(kept, "cache", Down())


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks queued by a test run in the test, as a worker would run them."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def team(db):
    return TeamFactory(name="Customer Care")


@pytest.fixture
def agent(team):
    return AgentFactory(
        team=team, user__username="ana", user__first_name="Ana", user__last_name="Silva"
    )


@pytest.fixture
def other_agent(team):
    return AgentFactory(
        team=team, user__username="ben", user__first_name="Ben", user__last_name="Carter"
    )


@pytest.fixture
def manager(db):
    user = UserFactory(username="maya", is_staff=True, is_superuser=True, first_name="Maya")
    return AgentFactory(user=user, team=None)


@pytest.fixture
def non_agent(db):
    """A logged-in user who is not an agent: the desk is not for them."""
    return UserFactory(username="visitor")


@pytest.fixture
def customer(db):
    return ContactFactory(name="Maria Garcia", email="maria@customer.example")


@pytest.fixture
def assert_queries():
    """`with assert_queries(5): ...` fails unless exactly 5 queries run (tests/queries.py)."""
    from tests.queries import assert_queries

    return assert_queries
