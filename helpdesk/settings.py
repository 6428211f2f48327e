"""Settings for the help desk, in one file, read from environment variables.

Every variable is listed with a comment in `deploy/helpdesk.env.example`. The defaults are for
development: SQLite under var/, an embedded broker, mail printed to the console.
"""

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "staticfiles").mkdir(exist_ok=True)

DJANGO_ENV = env("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "development-only-secret-key-never-use-in-production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Reverse proxies in front of the site (addresses or networks, e.g. 127.0.0.1,10.0.0.0/8).
# Only when the direct peer is one of them is the client address read from
# X-Forwarded-For (see helpdesk.lib.ratelimit.client_address); unset, the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network."
        ) from None

# Links in emails are built from this, never from the request's Host header.
# In development it follows the port actually served (`make run PORT=8820` sets WEB_PORT
# for the web, the worker and beat alike); production must set it (a start-up check warns).
WEB_PORT = env_int("WEB_PORT", 8000)
SITE_URL = (env("SITE_URL") or ("" if PRODUCTION else f"http://127.0.0.1:{WEB_PORT}")).rstrip("/")
SITE_NAME = env("SITE_NAME", "Help desk")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "bootstrap",
    "anymail",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "helpdesk",
    "audit",
    "agents",
    "contacts",
    "outbox",
    "cases",
    "inbox",
    "knowledge",
    "reports",
    "rest_framework",
    "drf_spectacular",
    "api",
    # /healthz, the heartbeat of beat and the worker, the admin's warning banner.
    "health",
]

# django-axes first: it refuses a login while the name or the address is locked out;
# then the user with their desk profile and unread count in one query (cases/auth.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "cases.auth.DeskBackend"]

MIDDLEWARE = [
    # First, so every request has its log line, redirects and refusals included
    # (helpdesk.lib.logs: no query string, private link tokens masked).
    "helpdesk.lib.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy on every response.
    "helpdesk.lib.headers.ContentSecurityPolicyMiddleware",
    "helpdesk.lib.headers.PermissionsPolicyMiddleware",
    # A body larger than any form accepts is refused with 413 from its Content-Length,
    # before anything below (the CSRF check first) reads it (helpdesk.lib.request_size).
    "helpdesk.lib.request_size.RequestSizeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the user read in the session's own query (cases/auth.py).
    "cases.auth.SignedInMiddleware",
    # An idle or ended-everywhere session ends; one with its second step to pass is held
    # there (agents.sessions, agents.two_factor).
    "agents.sessions.SessionGuardMiddleware",
    "agents.two_factor.TwoFactorMiddleware",
    # On desk pages, the agent's chosen language (over the browser's) and time zone.
    "agents.desk_locale.DeskLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The product's 404 page, also with DEBUG on (a customer's expired link in development).
    "helpdesk.notfound.ProductNotFoundMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpdesk.context_processors.site",
                "cases.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another one.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "helpdesk.sqlite3",
            # The web process and the Celery worker write at once: WAL lets readers
            # go on while one writes, IMMEDIATE takes the write lock at BEGIN so
            # transactions queue on the busy timeout instead of failing mid-way.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
            # A file, not shared-cache memory, so threads in tests honour the busy timeout.
            "TEST": {"NAME": str(VAR_DIR / "test-helpdesk.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "helpdesk.lib.redis_cache.Cache",
            "LOCATION": env("CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "helpdesk",
            # Redis answers in well under a millisecond here; a stuck one costs a request
            # this much once, then the rate limiter leaves it alone (helpdesk.lib.ratelimit).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # Shared by the web processes and the worker without a server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:queue"
# Failed logins (django-axes, its database handler): LOGIN_FAILURE_LIMIT failures for one
# username, or from one client address, lock that name or address out for
# LOGIN_LOCKOUT_MINUTES, with a 429 page that says when to try again and reads the same
# whether or not the name exists. A manager lifts a lock in admin (Access attempts).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "agents.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "helpdesk.lib.ratelimit.client_ip"
# Successful logins are in the audit log (audit.signals); axes keeps the failures.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Two-factor login (django-otp: an authenticator app and recovery codes): who must use
# it, "managers" (staff, who reach admin), "all" or "none". Anyone may turn it on.
REQUIRE_2FA = env("REQUIRE_2FA", "managers")
if REQUIRE_2FA not in {"managers", "all", "none"}:
    raise ImproperlyConfigured("REQUIRE_2FA must be managers, all or none.")
OTP_TOTP_ISSUER = SITE_NAME
# A signed-in session ends after this many minutes without a request (0: never).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120)
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# `make run` serves pages with gunicorn, not runserver: with DEBUG on, WhiteNoise serves
# static files straight from static/ and the apps, as they are edited, without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Attachments live outside any public path; only cases.views serves them.
ATTACHMENT_ROOT = Path(env("ATTACHMENT_ROOT", str(VAR_DIR / "attachments")))
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_FILES = 5
# Files kept from a form that came back with an error wait this long for the next try.
STAGED_FILE_HOURS = 24
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# First, a handler that keeps files whose names are not UTF-8 (Django drops them).
FILE_UPLOAD_HANDLERS = [
    "helpdesk.lib.uploads.Utf8FileNames",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Security headers; HTTPS-only cookies and HSTS in production.
# Scripts and styles come from our own static files only: no inline script or style
# attribute is allowed (Bootstrap's icons in its CSS are data: images). A view that
# sets its own policy (an attachment, sandboxed) keeps it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions in agents.UserSession, read joined with their user (cases/auth.py).
SESSION_ENGINE = "cases.auth"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Plain HTTP is sent to HTTPS when the site's address is https:// (a proxy that
    # redirects already may set this off; a site served over plain HTTP, such as the
    # side-by-side benchmark's, is left alone).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SITE_URL.startswith("https://"))
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Asking browsers to preload HTTPS for the domain is its owner's decision, for every
    # site under it: off unless set, and then `check --deploy` need not remind of it.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Mail: printed to the console in development, SMTP in production.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    # One line per mail on the console; the whole mail at /dev/mail/ (helpdesk/devmail.py).
    else "helpdesk.devmail.DevMailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A hanging mail server must not hold a worker forever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 15)
HELPDESK_EMAIL = env("HELPDESK_EMAIL", "support@helpdesk.localhost")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <{HELPDESK_EMAIL}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The customer's case page: how long an emailed link works, and when resolved cases close.
CUSTOMER_LINK_DAYS = env_int("CUSTOMER_LINK_DAYS", 30)
AUTO_CLOSE_DAYS = env_int("AUTO_CLOSE_DAYS", 7)
# Requests for a fresh link, per client address and per email address, per hour.
LINK_REQUESTS_PER_HOUR = env_int("LINK_REQUESTS_PER_HOUR", 5)

# Inbound mail (inbox/ingest.py) comes three ways: `manage.py ingest_email` from an
# MTA pipe, the IMAP poll below, and provider webhooks through django-anymail.
# The IMAP mailbox the desk polls; empty IMAP_HOST turns the poll off.
IMAP_HOST = env("IMAP_HOST")
IMAP_SSL = env_bool("IMAP_SSL", True)
IMAP_PORT = env_int("IMAP_PORT", 993 if IMAP_SSL else 143)
IMAP_USER = env("IMAP_USER")
IMAP_PASSWORD = env("IMAP_PASSWORD")
IMAP_FOLDER = env("IMAP_FOLDER", "INBOX")
# Filed messages are moved here; empty: they are deleted from IMAP_FOLDER.
IMAP_PROCESSED_FOLDER = env("IMAP_PROCESSED_FOLDER")
# Seconds before a hanging IMAP server is given up on (the next poll tries again).
IMAP_TIMEOUT = env_int("IMAP_TIMEOUT", 30)
# Mail accepted per sender per hour; more is ignored (it stops mail loops).
INBOUND_MAX_PER_SENDER_PER_HOUR = env_int("INBOUND_MAX_PER_SENDER_PER_HOUR", 30)
# Provider webhooks (/anymail/<provider>/inbound/) ask for this "user:password" by
# HTTP basic auth; set it whenever a webhook is configured at the provider.
# Without a configured secret the inbound webhook gets a random one nobody knows, so it
# refuses every request instead of accepting mail from anyone.
ANYMAIL = {"WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET") or secrets.token_urlsafe(32)}

# The contact form: submissions per client address per hour.
CONTACT_RATE_LIMIT_PER_HOUR = env_int("CONTACT_RATE_LIMIT_PER_HOUR", 20)
# Acknowledgements one email address is sent within an hour of the first; the cases opened
# past it are acknowledged together in one digest at the hour's end (cases.acknowledgements),
# so the form cannot flood someone else's inbox.
ACKNOWLEDGEMENTS_PER_ADDRESS_PER_HOUR = env_int("ACKNOWLEDGEMENTS_PER_ADDRESS_PER_HOUR", 3)

# Celery: Redis when REDIS_URL is set, else a broker kept in files under var/,
# so `make run` needs no server.
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,
        "visibility_timeout": 3600,
    }
else:
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
# A request must never hang on a dead broker: connect and publish give up fast,
# and the outbox sweep sends what could not be queued.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # The outbox relay: requests only store mail, so this is how fast mail leaves (a
    # customer expects the acknowledgement at once). A pass that finds nothing is one
    # indexed query; a pass not started within its two seconds is dropped, not piled up.
    "outbox-sweep": {
        "task": "outbox.tasks.outbox_sweep",
        "schedule": timedelta(seconds=2),
        "options": {"expires": 2},
    },
    # Warnings give at least the policy's lead time (30 minutes by default); a minute
    # of lateness is the most a reminder may be late.
    "sla-sweep": {"task": "cases.tasks.sla_sweep", "schedule": timedelta(minutes=1)},
    # A customer's answer by mail should reach the desk as fast as one from the form, and
    # polling an empty mailbox costs one IMAP login. Does nothing without IMAP_HOST.
    "poll-mailbox": {"task": "inbox.tasks.poll_mailbox", "schedule": timedelta(minutes=1)},
    # Auto-close counts in days; an hourly pass closes each case within the hour it is due.
    "auto-close": {"task": "cases.tasks.auto_close", "schedule": timedelta(hours=1)},
    # Files kept for a form's next try live a day; an hourly pass removes them within the hour.
    "staged-sweep": {"task": "cases.tasks.staged_sweep", "schedule": timedelta(hours=1)},
    # The managers' figures take in what changed on cases: at most this late.
    "reports-refresh": {
        "task": "reports.tasks.reports_refresh",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 300},
    },
    # Monday morning comes at a different hour in each time zone: an hourly pass sends each
    # manager's weekly digest within the hour of 8:00 on their Monday.
    "reports-digests": {"task": "reports.tasks.reports_digests", "schedule": timedelta(hours=1)},
    # Webhook deliveries due are handed to the worker, a task each (api.webhooks).
    "webhooks-sweep": {
        "task": "api.tasks.webhooks_sweep",
        "schedule": timedelta(seconds=5),
        "options": {"expires": 5},
    },
    # Contacts kept past RETENTION_MONTHS are erased once a day (nothing when it is 0).
    "retention": {"task": "cases.tasks.retention_erase", "schedule": timedelta(days=1)},
    "sessions-expired": {
        "task": "cases.tasks.sessions_expired_delete",
        "schedule": timedelta(days=1),
    },
    # A digest of held acknowledgements is due at the end of its address's hour: a pass a
    # minute sends it at most a minute late (a pass with none due is one indexed query).
    "acknowledgement-digests": {
        "task": "cases.acknowledgements.acknowledgement_digests",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 60},
    },
}
# Months after which a contact with no open case and nothing new is erased (0: never).
RETENTION_MONTHS = env_int("RETENTION_MONTHS", 0)
# The REST API (api/): JSON only, tokens or an agent's session, errors as JSON.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Webhooks to private, loopback or link-local addresses are refused unless this is set:
# a manager's URL must not reach inside the network. On by default only with DEBUG (make
# run, where the receiver being tried is on the same machine); never in production.
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", DEBUG)
# Requests a minute each API token (or agent) may make; past it, 429 with Retry-After.
API_REQUESTS_PER_MINUTE = env_int("API_REQUESTS_PER_MINUTE", 120)
SPECTACULAR_SETTINGS = {
    "TITLE": "Help desk API",
    "VERSION": "1",
    "DESCRIPTION": "Cases, contacts, articles, teams, agents and ratings. Authenticate "
    "with `Authorization: Bearer <token>` (a manager makes tokens in admin).",
    "SERVE_INCLUDE_SCHEMA": False,
    # Cases and articles both have a "status": each its own enum in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Status",
        "ArticleStatusEnum": "knowledge.models.ArticleStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.errors_documented",
    ],
}
# Send stored mail right after the commit, in the process that stored it, instead of
# leaving it to the relay: for the tests only (a request would then wait on SMTP).
OUTBOX_SEND_ON_COMMIT = False
# One retry policy per mail (outbox/retry.py). After a failed send the next attempt waits
# half as long as the mail has been failing (30 seconds at least), never longer than this:
# so mail goes out at most this long after the mail server recovers.
OUTBOX_RETRY_MAX_DELAY_SECONDS = env_int("OUTBOX_RETRY_MAX_DELAY_SECONDS", 600)
# A mail that has been failing this long is given up on: marked failed, shown on its case
# and in admin, where "Retry now" sends it again. A recipient or a message the mail server
# refuses for good (a 5xx answer) is given up on at once.
OUTBOX_GIVE_UP_AFTER_HOURS = env_int("OUTBOX_GIVE_UP_AFTER_HOURS", 24)
# How long one outbox pass may go on sending a backlog before the worker turns to
# other tasks (the SLA sweep waits behind it on a one-process worker).
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 50)

# Health (health/: /healthz and the admin's warning banner). Mail is stuck when the oldest
# unsent mail has waited longer than this; beat is late when its last heartbeat was sent
# longer ago than this, and a worker silent when it last ran one longer ago than this.
HEALTH_MAIL_STUCK_MINUTES = env_int("HEALTH_MAIL_STUCK_MINUTES", 15)
HEALTH_BEAT_LATE_MINUTES = env_int("HEALTH_BEAT_LATE_MINUTES", 5)
HEALTH_WORKER_SILENT_MINUTES = env_int("HEALTH_WORKER_SILENT_MINUTES", 5)
# A monitor on the machine may ask http://127.0.0.1:8000/healthz: answered, not sent to
# https:// (a redirect would read as healthy to most checkers).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Beat's heartbeat, run by a worker (health/heartbeat.py): every minute keeps it well inside
# the minutes above. One that waited in the queue longer than a worker may stay silent is
# dropped: a worker that far behind is not answering, and the next one says so.
CELERY_BEAT_SCHEDULE["heartbeat"] = {
    "task": "health.tasks.heartbeat",
    "schedule": timedelta(minutes=1),
    "options": {"expires": HEALTH_WORKER_SILENT_MINUTES * 60},
}

# One line per request ("helpdesk.requests") and per task ("helpdesk.tasks"), written by
# helpdesk.lib.logs: no query string, no body, private link tokens masked. Django's own
# "Not Found: <path>" warnings get the same masking; the development server's request
# line, which would repeat ours with the token and query string, keeps only its warnings.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_private_paths": {"()": "helpdesk.lib.logs.MaskPrivatePaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["mask_private_paths"]},
        "django.server": {
            "level": "WARNING",
            "filters": ["mask_private_paths"],
            "propagate": True,
        },
        # Celery's own "received", "succeeded" and "sending due task" lines, one each for
        # every pass of the relay: ours ("helpdesk.tasks") says the same in one line.
        "celery.app.trace": {"level": "WARNING"},
        "celery.worker.strategy": {"level": "WARNING"},
        "celery.beat": {"level": "WARNING"},
    },
}

# Errors to Sentry (or a tracker that speaks its protocol) when SENTRY_DSN is set; without
# it nothing is set up and nothing is sent. No personal data goes: no user, client
# address, cookie, request body, query string or local variables, and private link tokens
# are masked (helpdesk.lib.logs.sentry_before_send). Performance traces are off unless
# SENTRY_TRACES_SAMPLE_RATE gives the share of requests and tasks to trace (0 to 1).
SENTRY_DSN = env("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    from helpdesk.lib.logs import sentry_before_send

    try:
        SENTRY_TRACES_SAMPLE_RATE = float(env("SENTRY_TRACES_SAMPLE_RATE", "0"))
    except ValueError:
        SENTRY_TRACES_SAMPLE_RATE = -1.0
    if not 0 <= SENTRY_TRACES_SAMPLE_RATE <= 1:
        raise ImproperlyConfigured("SENTRY_TRACES_SAMPLE_RATE must be a number from 0 to 1.")
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", DJANGO_ENV),
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
        before_send=sentry_before_send,
    )
