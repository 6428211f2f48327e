"""What /healthz checks: the database, the broker, the cache, the outbox, beat and a worker.

Redis, as the broker, is asked with one second's socket timeouts and no retry, the cache
with the short timeouts of settings.CACHES: a frozen Redis costs /healthz about a second
and a half. The database is asked on Django's own connection: one that refuses fails at
once; one that hangs holds the request until the monitor gives up, which reads as down
all the same (`?connect_timeout=5` in DATABASE_URL bounds PostgreSQL's connecting).

A check reports a status, a figure (a round trip in milliseconds, an age in seconds) and
a sentence of our own, never an exception's text: that could name a host, an address or
a password, and /healthz is public. The exception goes to the log.

Thresholds (settings, minutes): mail is stuck when the oldest unsent row is older than
HEALTH_MAIL_STUCK_MINUTES (15); beat is late when its last heartbeat is older than
HEALTH_BEAT_LATE_MINUTES (5); a worker is silent when it last ran one longer ago than
HEALTH_WORKER_SILENT_MINUTES (5). Exactly at the limit still counts as on time.
"""

import logging
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import Error, connection
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from redis.backoff import NoBackoff
from redis.retry import Retry

from health.models import Heartbeat
from outbox.models import OutboundEmail

logger = logging.getLogger(__name__)

OK, DOWN, UNKNOWN = "ok", "down", "unknown"
# Seconds Redis (the broker) may take to connect, and to answer the ping.
REDIS_TIMEOUT = 1.0


@dataclass(frozen=True)
class Result:
    name: str
    status: str  # OK, DOWN or UNKNOWN (not checked because another check failed)
    figure: float | None
    unit: str  # of the figure: "ms" for a round trip, "s" for an age
    message: str

    def as_json(self) -> dict:
        return {key: value for key, value in asdict(self).items() if key != "name"}


def elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def age_seconds(moment: datetime, now: datetime) -> int:
    return max(0, int((now - moment).total_seconds()))


def age_text(moment: datetime, now: datetime) -> str:
    """An age in words: "40 seconds"; from a minute on Django's, "1 hour, 5 minutes"."""
    seconds = age_seconds(moment, now)
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    return timesince(moment, now)


def database() -> Result:
    start = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Error:
        logger.warning("Health: the database did not answer.", exc_info=True)
        return Result("database", DOWN, None, "ms", _("The database did not answer."))
    return Result("database", OK, elapsed_ms(start), "ms", _("The database answered."))


def broker() -> Result:
    """Redis when REDIS_URL is set (it answers a ping); else the broker's folder under
    VAR_DIR, which must take a new file."""
    url = settings.CELERY_BROKER_URL
    start = time.perf_counter()
    if url.startswith(("redis://", "rediss://", "unix://")):
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT,
            socket_timeout=REDIS_TIMEOUT,
            retry=Retry(NoBackoff(), 0),
        )
        try:
            client.ping()
        except (redis.RedisError, OSError):
            logger.warning("Health: Redis (the broker) did not answer.", exc_info=True)
            return Result("broker", DOWN, None, "ms", _("Redis did not answer."))
        finally:
            client.close()
        return Result("broker", OK, elapsed_ms(start), "ms", _("Redis answered."))
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        try:
            # Not a .msg file: the worker reads only those.
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".healthz-") as probe:
                probe.write(b"ok")
                probe.flush()
        except OSError:
            logger.warning("Health: the broker's folder is not writable.", exc_info=True)
            return Result("broker", DOWN, None, "ms", _("The broker's folder is not writable."))
        return Result("broker", OK, elapsed_ms(start), "ms", _("The broker's folder is writable."))
    return Result("broker", UNKNOWN, None, "ms", _("This kind of broker is not checked."))


def cache_check() -> Result:
    key = f"healthz:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    start = time.perf_counter()
    try:
        cache.set(key, value, timeout=30)
        kept = cache.get(key)
        cache.delete(key)
    except Exception:  # each backend raises its own errors (redis, OSError, pickling)
        logger.warning("Health: the cache did not answer.", exc_info=True)
        return Result("cache", DOWN, None, "ms", _("The cache did not answer."))
    if kept != value:
        return Result("cache", DOWN, None, "ms", _("The cache did not give back what it kept."))
    return Result(
        "cache", OK, elapsed_ms(start), "ms", _("The cache kept a value and gave it back.")
    )


def unsent_mail() -> tuple[int, datetime | None]:
    """How many mails wait to be sent, and since when the oldest: one query on the
    outbox's pending index."""
    pending = OutboundEmail.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
    figures = pending.aggregate(count=Count("pk"), oldest=Min("created_at"))
    return figures["count"], figures["oldest"]


def mail_stuck(oldest: datetime | None, now: datetime) -> bool:
    limit = timedelta(minutes=settings.HEALTH_MAIL_STUCK_MINUTES)
    return oldest is not None and now - oldest > limit


def outbox(now: datetime) -> Result:
    count, oldest = unsent_mail()
    if oldest is None:
        return Result("outbox", OK, None, "s", _("No mail is waiting."))
    figures = {"count": count, "age": age_text(oldest, now)}
    if mail_stuck(oldest, now):
        message = ngettext(
            "Mail is stuck: %(count)d mail has waited %(age)s.",
            "Mail is stuck: %(count)d mails are waiting, the oldest for %(age)s.",
            count,
        )
        return Result("outbox", DOWN, age_seconds(oldest, now), "s", message % figures)
    message = ngettext(
        "%(count)d mail is waiting, for %(age)s.",
        "%(count)d mails are waiting, the oldest for %(age)s.",
        count,
    )
    return Result("outbox", OK, age_seconds(oldest, now), "s", message % figures)


def heartbeat_row() -> Heartbeat:
    """The heartbeat row, or an empty one where nothing was recorded yet."""
    return Heartbeat.objects.filter(pk=Heartbeat.ROW).first() or Heartbeat()


def beat_late(row: Heartbeat, now: datetime) -> bool:
    limit = timedelta(minutes=settings.HEALTH_BEAT_LATE_MINUTES)
    return row.beat_sent_at is None or now - row.beat_sent_at > limit


def worker_silent(row: Heartbeat, now: datetime) -> bool:
    limit = timedelta(minutes=settings.HEALTH_WORKER_SILENT_MINUTES)
    return row.worker_ran_at is None or now - row.worker_ran_at > limit


def beat(row: Heartbeat, now: datetime) -> Result:
    sent = row.beat_sent_at
    if sent is None:
        return Result("beat", DOWN, None, "s", _("No heartbeat from beat has been recorded."))
    figures = {"age": age_text(sent, now)}
    if beat_late(row, now):
        message = _("Beat has sent no heartbeat for %(age)s.") % figures
        return Result("beat", DOWN, age_seconds(sent, now), "s", message)
    message = _("Beat sent its heartbeat %(age)s ago.") % figures
    return Result("beat", OK, age_seconds(sent, now), "s", message)


def worker(row: Heartbeat, now: datetime) -> Result:
    ran = row.worker_ran_at
    figure = age_seconds(ran, now) if ran else None
    if not worker_silent(row, now):
        message = _("A worker ran the heartbeat %(age)s ago.") % {"age": age_text(ran, now)}
        return Result("worker", OK, figure, "s", message)
    if beat_late(row, now):
        # The heartbeat comes from beat: without it a worker has nothing to answer.
        message = _("Not known: no heartbeat reaches a worker while beat is late.")
        return Result("worker", UNKNOWN, figure, "s", message)
    if ran is None:
        return Result("worker", DOWN, None, "s", _("No worker has run a heartbeat yet."))
    message = _("No worker has run a heartbeat for %(age)s.") % {"age": age_text(ran, now)}
    return Result("worker", DOWN, figure, "s", message)


def not_checked(message: str) -> list[Result]:
    return [Result(name, UNKNOWN, None, "s", message) for name in ("outbox", "beat", "worker")]


def run_all() -> list[Result]:
    """Every check, in the order the page shows them: three queries when all is well."""
    results = [database(), broker(), cache_check()]
    if results[0].status != OK:
        return [*results, *not_checked(_("Not checked: the database did not answer."))]
    now = timezone.now()
    try:
        row = heartbeat_row()
        return [*results, outbox(now), beat(row, now), worker(row, now)]
    except Error:  # the tables missing (migrations not applied), a query cut off
        logger.warning("Health: the outbox or the heartbeat could not be read.", exc_info=True)
        return [*results, *not_checked(_("Not checked: the database could not be read."))]
