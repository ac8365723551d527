"""Liaison settings: one file, driven by environment variables (see README "Configuration").

Defaults give the embedded demo: an SQLite file under var/, DEBUG off, a secret key generated once
into var/. Production sets DATABASE_URL (PostgreSQL), LIAISON_SECRET_KEY and LIAISON_ALLOWED_HOSTS.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LIAISON_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("LIAISON_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # Generated once for the local demo; production must pass LIAISON_SECRET_KEY.
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Earlier keys, still accepted (sessions, signed links, query passwords) while you rotate: comma-separated.
SECRET_KEY_FALLBACKS = env_list("LIAISON_SECRET_KEY_FALLBACKS", "")
# Keys of the audit chain's HMAC, "id:secret[,id:secret…]", first one signs (liaison/events/chain.py).
# Kept outside the database; empty means one key derived from SECRET_KEY.
AUDIT_KEYS = os.environ.get("LIAISON_AUDIT_KEYS", "")
DEBUG = env_bool("LIAISON_DEBUG", False)
ALLOWED_HOSTS = env_list("LIAISON_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("LIAISON_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("LIAISON_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks_db",
    "ninja",  # serves Swagger UI from our own static files (the CDN copy is blocked by our CSP)
    "liaison.org",
    "liaison.security",
    "liaison.api",  # API tokens, integration keys, idempotency records
    "liaison.open311",  # Open311 GeoReport v2 server (no models of its own)
    "liaison.events",
    "liaison.notify",
    "liaison.opinions",
    "liaison.meetings",
    "liaison.suggestions",
    "liaison.insight",
    "liaison.reports",
    "liaison.exports",  # big exports as background jobs
    "liaison.ops",
    "liaison.webhooks",
]

MIDDLEWARE = [
    "liaison.lib.proxies.TrustedProxyMiddleware",
    "liaison.ops.metrics.RequestMetricsMiddleware",
    "liaison.ops.replica.ReplicaRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML compressed (BREACH: Django masks the CSRF token per response); after whitenoise, so not static files.
    "liaison.lib.compression.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "liaison.security.middleware.SessionTimeoutMiddleware",
    "liaison.security.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # From the declared Content-Length, before any middleware's process_view (CSRF) reads the body.
    "liaison.opinions.middleware.UploadLimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liaison.urls"
WSGI_APPLICATION = "liaison.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "liaison.org.context.roles",
                "liaison.notify.context.unread",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://user:pass@host:5432/name) or the embedded SQLite file.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'liaison.sqlite3'}", conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", 60))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the worker and web processes read while one writes; IMMEDIATE takes the write lock
        # at BEGIN so concurrent transactions queue instead of failing with "database is locked".
        # synchronous=FULL: a submission is on disk (fsync) before we acknowledge it.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Read replica (PostgreSQL streaming standby): reports, dashboards, exports and public pages read from it; writes
# and a browser's reads for LIAISON_REPLICA_PIN_SECONDS after its own write stay on the primary (liaison/ops/replica.py).
if replica_url := os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(replica_url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", 60)))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["liaison.ops.replica.ReplicaRouter"]
LIAISON_REPLICA_PIN_SECONDS = int(os.environ.get("LIAISON_REPLICA_PIN_SECONDS", 10))
LIAISON_REPLICA_VIEWS = env_list(
    "LIAISON_REPLICA_VIEWS",
    "reports-*,*-export,suggestions:public,opinions-track-detail,opinions-track-link,open311-*",
)


AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# 等保 2.0 level 3 (身份鉴别): at least 10 characters of 3 of the 4 classes, not like the user's name, not a common
# password, none of the last 5 (liaison/security/validators.py; docs/SECURITY.md).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "liaison.security.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "liaison.security.validators.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Behind a reverse proxy: the proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For is
# believed (liaison/lib/proxies.py). Empty: no proxy, REMOTE_ADDR is the client.
LIAISON_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("LIAISON_TRUSTED_PROXIES", "").split(",") if p.strip()]

# Operations (liaison/ops): /readyz thresholds in seconds, and who may read /metrics.
LIAISON_WORKER_HEARTBEAT_MAX = int(os.environ.get("LIAISON_WORKER_HEARTBEAT_MAX", 300))
LIAISON_OUTBOX_LAG_MAX = int(os.environ.get("LIAISON_OUTBOX_LAG_MAX", 900))
LIAISON_ROLLUP_LAG_MAX = int(os.environ.get("LIAISON_ROLLUP_LAG_MAX", 900))
LIAISON_METRICS_ALLOW = [
    a.strip() for a in os.environ.get("LIAISON_METRICS_ALLOW", "127.0.0.1,::1").split(",") if a.strip()
]
LIAISON_METRICS_TOKEN = os.environ.get("LIAISON_METRICS_TOKEN", "")

# Lockout after repeated failed logins: per account whatever the address, and per address whatever the
# account (each its own count; either locks). An administrator unlocks in admin (访问尝试 → delete) or with
# `manage.py axes_reset_username <name>`.
AXES_FAILURE_LIMIT = int(os.environ.get("LIAISON_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
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
MEDIA_ROOT = Path(os.environ.get("LIAISON_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (served with a year's immutable cache), gzip and Brotli copies made by collectstatic.
    "staticfiles": {"BACKEND": "liaison.lib.staticstorage.StaticStorage"},
}
# Finders serve static/ as is (uncompressed, short cache): only while developing. Without DEBUG the files come
# from STATIC_ROOT, so `manage.py collectstatic` must have run (make run, scripts/test.sh and deploy do).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_MANIFEST_STRICT = False  # not in the manifest: the plain name (liaison/lib/staticstorage.py)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security: secure cookies, HSTS and CSP outside DEBUG. LIAISON_COOKIE_SECURE=0 only for plain-HTTP loopback.
COOKIE_SECURE = env_bool("LIAISON_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_SECURE = COOKIE_SECURE
CSRF_COOKIE_SECURE = COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600  # also the longest a sign-in lasts, active or not (liaison/security/middleware.py)
# Signed out after this many minutes without a request (0: never); 等保 2.0 登录连接超时自动退出.
SESSION_IDLE_SECONDS = int(os.environ.get("LIAISON_SESSION_IDLE_MINUTES", 30)) * 60
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("LIAISON_HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_csp = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if not DEBUG:
    SECURE_CSP = _csp
else:
    SECURE_CSP_REPORT_ONLY = _csp

# 个人信息保护法: residents' names and phones are blanked this many days after their opinion was closed
# (`manage.py purge_personal_data`, run daily by the worker); statistics and the event log stay.
PERSONAL_DATA_RETENTION_DAYS = int(os.environ.get("LIAISON_PERSONAL_DATA_RETENTION_DAYS", 1095))

# Text intelligence: trained categoriser and similarity-index snapshot (plain arrays, never pickle).
INSIGHT_DIR = Path(os.environ.get("LIAISON_INSIGHT_DIR", VAR_DIR / "insight"))

# Background work: Django's tasks API with the database backend; `manage.py worker` runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Exports (xlsx): up to this many rows stream straight to the browser; more become a background job
# (liaison/exports) whose file its requester may download for EXPORT_KEEP_HOURS.
EXPORT_SYNC_MAX_ROWS = int(os.environ.get("LIAISON_EXPORT_SYNC_MAX_ROWS", 20000))
EXPORT_KEEP_HOURS = int(os.environ.get("LIAISON_EXPORT_KEEP_HOURS", 24))

# Notifications: outbox delivered by the worker. Providers: console (default), smtp, sms.
NOTIFY_PROVIDERS = env_list("LIAISON_NOTIFY_PROVIDERS", "console")
SMS_GATEWAY_URL = os.environ.get("LIAISON_SMS_URL", "")
SMS_TEMPLATE = os.environ.get("LIAISON_SMS_TEMPLATE", "【联络站】{subject}")
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("LIAISON_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("LIAISON_EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("LIAISON_EMAIL_PORT", 25)),
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("LIAISON_EMAIL_FROM", "liaison@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIAISON_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "jieba": {"level": "WARNING"}},
}
