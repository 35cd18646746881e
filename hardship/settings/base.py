"""Settings shared by every environment; values come from the environment.

One module per environment (local, test, production) imports this one and
changes only what differs there.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-local-only-key-change-me-0123456789abcdef")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_celery_beat",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "hardship",
    "cases",
    "programs",
    "api",
    "ops",  # backups, metrics, readiness: above every app
    "family",  # the family's own channel: self-test, sign-in by code, online application, 本人查档
]

MIDDLEWARE = [
    # First and last: django-prometheus times every request and counts responses by status and view.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "hardship.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "hardship.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise (static files keep their caching), above everything that answers a page.
    "hardship.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Below the sessions: pushes a signed-in session's expiry forward (once a minute, not every page).
    "hardship.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the locale (the 400 page in the user's language), before anything reads a parameter.
    "hardship.middleware.ControlCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view says otherwise (login, health).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the authenticated user and the failed logins.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out login before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend whose get_user reads the user's role assignments in the same query.
    "hardship.auth.PortalBackend",
]

ROOT_URLCONF = "hardship.urls"
WSGI_APPLICATION = "hardship.wsgi.application"
AUTH_USER_MODEL = "hardship.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hardship.context_processors.portal",
            ],
            # The portal's filters (money, mask_name, query_with) in every template without {% load %}.
            "builtins": ["hardship.templatetags.portal"],
        },
    },
]

# In-process caches only: no page waits on Redis. The templates' {% cache %} fragments (the same for
# every user and file, e.g. an empty form) are kept once per worker and language.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Without DATABASE_URL the portal runs on an embedded SQLite file (a laptop trial).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The list indexes carry INCLUDE columns so PostgreSQL answers a page from the index alone.
# SQLite (the laptop trial) has no covering indexes and builds the same index without them:
# results are identical, only slower at a size no laptop trial reaches. Silenced there only.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my_work"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after two idle hours and when the browser closes: shared office PCs. The idle clock is
# hardship.middleware.IdleSessionMiddleware (not SESSION_SAVE_EVERY_REQUEST: a write on every page).
# Django's database sessions, the read of each request's session prepared (hardship/sessions.py).
SESSION_ENGINE = "hardship.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(2 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Lockout after repeated failed logins (django-axes): 5 failures of one
# username from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Attachments go through Django's storage API: the local MEDIA_ROOT by default (one web node), or an
# S3-compatible object store (MinIO, a cloud's object storage) for several nodes: STORAGE_BACKEND=s3
# with AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY. The
# bucket stays private: files are only ever read by the portal's scoped download views.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "filesystem")


def s3_storage(**options) -> dict:
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "location": os.environ.get("AWS_LOCATION", ""),
        "default_acl": None, "file_overwrite": False, "querystring_auth": True, **options,
    }}  # fmt: skip


DEFAULT_STORAGE = (
    s3_storage() if STORAGE_BACKEND == "s3" else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Backups (ops.backup): where archives are kept, for how many days, and the passphrase that
# encrypts them (empty: not encrypted; keep the passphrase somewhere other than the archives).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "backups"))
BACKUP_KEEP_DAYS = int(os.environ.get("BACKUP_KEEP_DAYS", "14"))
BACKUP_PASSPHRASE = os.environ.get("BACKUP_PASSPHRASE", "")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: the broker and result store are Redis. Without REDIS_URL (a laptop)
# tasks run eagerly in the web process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A dead Redis must fail a send fast, so the page can say 待计算 at once (hardship.tasks.enqueue):
# every connect and read is bounded, and a publish is tried twice (the second attempt reconnects a
# pooled connection that a Redis restart left stale) rather than kombu's default four. A stopped
# Redis (refused) fails in milliseconds, an unreachable host in about two seconds (1 s connect,
# twice), a Redis that stops answering on an open connection after its 3 s read timeout. Sends store
# no result (enqueue), and the result store's own reconnect is bounded too: by default it retries
# 20 times a second apart, then raises RuntimeError (the 19 s wait of issue 12). The
# broker_connection_retry settings are the worker's reconnect loop, not the sender's, and stay as
# they are: a worker outlives an outage. 3 s stays above the worker's 1 s BRPOP poll.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 3}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 3
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (hardship.middleware): everything from this origin only, no inline
# scripts or styles (the templates have none: checked by tests/hardening/test_security.py).
# Bootstrap's CSS draws its form icons as data: SVG images, hence img-src data:.
CONTENT_SECURITY_POLICY = {
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
# drf-spectacular's Swagger UI page has an inline <style> block: inline styles there only.
CSP_INLINE_STYLE_PATHS = ["/api/docs/"]

# One console handler. Django's own loggers write there once (not also through the root, which
# printed each refused page twice), and a 403/404 is one line without a traceback: a refusal is
# an answer, not a crash. Server errors (5xx) keep their traceback.
# LOG_FORMAT=json writes one JSON object a line (time, level, logger, message, request_id); the
# default is plain text with the request id in brackets.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")


def console_handler() -> dict:
    return {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}


LOG_FORMATTERS = {
    "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    "json": {"()": "hardship.requestid.JsonFormatter"},
}
LOG_FILTERS = {"request_id": {"()": "hardship.requestid.RequestIdFilter"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {**LOG_FILTERS, "refusals_without_traceback": {"()": "hardship.logfilters.RefusalsWithoutTraceback"}},
    "formatters": LOG_FORMATTERS,
    "handlers": {"console": console_handler()},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING"), "propagate": False},
        "django.request": {"filters": ["refusals_without_traceback"]},
    },
}

# Prometheus metrics at /metrics (ops.views), for these networks only; anyone else gets a 404. Behind
# a proxy every request comes from the proxy: the proxy must not forward /metrics (README).
METRICS_ALLOWED_NETS = env_list("METRICS_ALLOWED_NETS", "127.0.0.1/32")
# Readiness (/healthz/ready) wants beat's minute heartbeat younger than this; with no Redis (a
# laptop, eager tasks) no beat runs and the check is off.
BEAT_HEARTBEAT_STALE_SECONDS = int(os.environ.get("BEAT_HEARTBEAT_STALE_SECONDS", "300"))
READINESS_REQUIRES_BEAT = env_bool("READINESS_REQUIRES_BEAT", bool(REDIS_URL))

PORTAL_NAME = _("工会困难职工帮扶管理平台")

# Beat schedules: synced into django-celery-beat's tables, so staff can edit them in the admin.
CELERY_BEAT_SCHEDULE = {
    # Readiness checks this row: beat, the broker and a worker are alive (ops.tasks).
    "beat-heartbeat": {"task": "ops.tasks.beat_heartbeat", "schedule": 60.0, "options": {"expires": 50}},
    "apply-due-standards": {
        "task": "cases.tasks.apply_due_standards",
        "schedule": crontab(hour=0, minute=30),
    },
    # Families whose 年度复核 falls due within a month are told (cases.notices).
    "notify-yearly-reviews-due": {
        "task": "cases.notices.tasks.notify_yearly_reviews_due",
        "schedule": crontab(hour=9, minute=0),
    },
    "start-quarter-batches": {
        "task": "programs.assistance.tasks.start_quarter_batches",
        "schedule": crontab(day_of_month=1, month_of_year="1,4,7,10", hour=2, minute=0),
    },
    # Retention (cases.archive): once a year, files closed over RETENTION_YEARS ago go on a destruction
    # list that two centre staff must submit and approve; nothing is destroyed by the task itself.
    "draft-destruction-list": {
        "task": "cases.tasks.draft_destruction_list",
        "schedule": crontab(month_of_year=1, day_of_month=15, hour=3, minute=0),
    },
    # The dashboard's cached summary (programs.reports.services); the page says how old it is.
    "refresh-dashboard-summary": {
        "task": "programs.reports.tasks.refresh_dashboard_summary",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},  # a refresh queued behind a busy worker is dropped, not piled up
    },
    # Export files are kept 24 hours (EXPORT_KEEP_HOURS), then deleted with their rows.
    "purge-expired-exports": {
        "task": "hardship.tasks.purge_expired_exports",
        "schedule": crontab(minute=15),
        "options": {"expires": 50 * 60},
    },
    # Family sign-in codes expired or used over a day ago are deleted (family.services.accounts).
    "purge-sign-in-codes": {
        "task": "family.tasks.purge_sign_in_codes",
        "schedule": crontab(hour=4, minute=20),
        "options": {"expires": 6 * 3600},
    },
}

# A 临时档案 (意外致困) is confirmed (转正) or closed (注销) within this many months of 建档: one year,
# the span over which the sudden costs were measured and when the first 年度复核 falls due anyway.
TEMPORARY_FILE_MONTHS = int(os.environ.get("TEMPORARY_FILE_MONTHS", "12"))
# The 临时档案 queue shows files this many days before their deadline, and every file past it.
TEMPORARY_FILE_WARNING_DAYS = int(os.environ.get("TEMPORARY_FILE_WARNING_DAYS", "30"))
# Files are kept this many years after closing (注销, or 脱困/解困), then listed for destruction.
RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "10"))

# 公示 lasts this many working days (weekends and 法定节假日 skipped, 调休 counted: hardship.dates).
PUBLIC_NOTICE_WORKING_DAYS = int(os.environ.get("PUBLIC_NOTICE_WORKING_DAYS", "5"))
# 初审: the home visit within this many working days of the submission (the 待初审 queue's due date).
FIRST_REVIEW_WORKING_DAYS = int(os.environ.get("FIRST_REVIEW_WORKING_DAYS", "5"))
# Third-party 复审 is due this many days after assignment unless centre staff set a date.
SECOND_REVIEW_DEFAULT_DAYS = int(os.environ.get("SECOND_REVIEW_DEFAULT_DAYS", "15"))

# 申诉: a worker appeals a rejection, an exit or an amount within this many days of the decision.
APPEAL_WINDOW_DAYS = int(os.environ.get("APPEAL_WINDOW_DAYS", "30"))
# Tickets are due this many working days after they arrive (申诉 / 投诉 / 举报 / 公示异议).
TICKET_DUE_WORKING_DAYS = {"appeal": 15, "complaint": 10, "tip_off": 5, "objection": 5}
# The public forms (投诉, 举报) take at most this many submissions per address and hour.
PUBLIC_TICKETS_PER_IP_PER_HOUR = int(os.environ.get("PUBLIC_TICKETS_PER_IP_PER_HOUR", "5"))

# Assistance batches: households per chunk (id range), and when a silent run's lock counts as stale.
BATCH_CHUNK_IDS = int(os.environ.get("BATCH_CHUNK_IDS", "50000"))
BATCH_STALE_SECONDS = int(os.environ.get("BATCH_STALE_SECONDS", "600"))
# The freeze of an approved batch's payees: payment ids per UPDATE (all in one transaction).
FREEZE_CHUNK_IDS = int(os.environ.get("FREEZE_CHUNK_IDS", "100000"))
# Up to this many payments the approval freezes them itself (well under a second); above, a worker does.
FREEZE_INLINE_MAX_PAYMENTS = int(os.environ.get("FREEZE_INLINE_MAX_PAYMENTS", "5000"))

# Exports (household lists, bank files): up to this many rows the file is written inside the request;
# above it a worker writes it to the storage and 「我的导出」 offers it for EXPORT_KEEP_HOURS.
EXPORT_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_ROWS", "5000"))
EXPORT_KEEP_HOURS = int(os.environ.get("EXPORT_KEEP_HOURS", "24"))

# The read API (/api/): tokens only (no session, so no CSRF questions), every endpoint needs a
# user, pages of 50. Each view is exempt from LoginRequiredMiddleware and answers 401/403 JSON.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "工会困难职工帮扶 API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page: a token, or a signed-in portal user in the browser.
    "SERVE_AUTHENTICATION": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from the sidecar package, served by the app itself: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Text messages to families (hardship.sms): the console by default (make run prints them), a JSON-lines
# file under SMS_FILE_DIR (SMS_BACKEND=hardship.sms.FileBackend), or a provider's HTTP API in
# production (SMS_BACKEND=hardship.sms.HttpBackend with SMS_HTTP_URL, SMS_HTTP_KEY, SMS_SIGN_NAME).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "hardship.sms.ConsoleBackend")
SMS_FILE_DIR = Path(os.environ.get("SMS_FILE_DIR", BASE_DIR / "var" / "sms"))
SMS_FILE_ECHO = env_bool("SMS_FILE_ECHO", False)  # the FileBackend also prints each message
SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
SMS_HTTP_KEY = os.environ.get("SMS_HTTP_KEY", "")
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "工会帮扶")
SMS_HTTP_TIMEOUT = float(os.environ.get("SMS_HTTP_TIMEOUT", "3"))

# Workers' sign-in codes (family.services): valid 5 minutes, 5 wrong tries, at most 5 codes an hour
# per number and 20 an hour per address, one a minute per number.
WORKER_CODE_TTL_SECONDS = int(os.environ.get("WORKER_CODE_TTL_SECONDS", "300"))
WORKER_CODE_MAX_ATTEMPTS = int(os.environ.get("WORKER_CODE_MAX_ATTEMPTS", "5"))
WORKER_CODES_PER_PHONE_HOUR = int(os.environ.get("WORKER_CODES_PER_PHONE_HOUR", "5"))
WORKER_CODES_PER_IP_HOUR = int(os.environ.get("WORKER_CODES_PER_IP_HOUR", "20"))
WORKER_CODE_INTERVAL_SECONDS = int(os.environ.get("WORKER_CODE_INTERVAL_SECONDS", "60"))
