"""Settings for the 1712 registration system, read from the environment.

With no DATABASE_URL and no REDIS_URL the app runs embedded: SQLite and eager
Celery tasks, so one command brings up a demo on any machine.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-1712"
# The development key is public (it is in this file): anyone holding it could forge sessions and
# password-reset links. Management commands (import, export, report) run with no environment at all
# (domain.md) and sign nothing, so they may use it; serving may not: without DEBUG the web server
# and the Celery worker refuse to start on it (helpline/startup.py).
SECRET_KEY = env.str("SECRET_KEY", default="") or DEV_SECRET_KEY
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    # django.contrib.admin, with the two-factor admin site (helpline.admin).
    "helpline.apps.HelplineAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Security: two-factor login (TOTP + single-use backup codes), lockout, change history.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "pgtrigger",
    "pghistory",
    "accounts",
    "registration",
    "referrals",
    "reports",
    "audit",
    "followup",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the vendored static files under gunicorn, without a separate web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "helpline.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # NUL bytes and invalid text are refused (400) before any view, form or query sees them.
    "helpline.bad_bytes.BadBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The one gate: login, verified two-factor, session limits, role per page, no-store.
    "accounts.middleware.AccessMiddleware",
    "audit.middleware.HistoryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpline.urls"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Django's form renderer, with the plain input and textarea widgets written in Python (the same
# bytes; helpline/form_renderer.py): a few dozen template renders less per form page.
FORM_RENDERER = "helpline.form_renderer.FastTemplates"

WSGI_APPLICATION = "helpline.wsgi.application"

# Embedded default: a SQLite file beside manage.py.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Two roles on PostgreSQL (audit/roles.py): DATABASE_URL is the app's login, which owns nothing and
# cannot rewrite the audit trail; MIGRATE_DATABASE_URL, when set, is the owner `migrate` runs as.
MIGRATE_DATABASE = env.db("MIGRATE_DATABASE_URL") if env.str("MIGRATE_DATABASE_URL", default="") else None
if MIGRATE_DATABASE and MIGRATE_DATABASE["NAME"] != DATABASES["default"]["NAME"]:
    raise ImproperlyConfigured("MIGRATE_DATABASE_URL must name the same database as DATABASE_URL (another role).")
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # Server-side parameter binding: values travel apart from the statement text, so an error
    # logged by PostgreSQL (log_min_error_statement) shows $1, $2 …, never what was typed.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
    # Persistent connections: a new connection per request cost about 6 ms and a cold cache on
    # every save (issue 13). `?conn_max_age=0` in DATABASE_URL turns it off; a connection found
    # broken at the start of a request is replaced. Nothing personal outlives a request on it:
    # pghistory's context is transaction-local or cleared after its statement (history_binding).
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Each transaction takes the write lock when it begins, so a second save waits for the first
    # (then answers with its contact) instead of failing with "database is locked" (issue 10).
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Authentication and sessions (accounts/, issue 5) -------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username+IP before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Lock the username from that address: an attacker cannot lock a colleague out from elsewhere,
# and an unknown username is locked exactly like a known one, so lockout reveals nothing.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Log no usernames that were typed (they may be a caller's name typed in the wrong field).
AXES_SENSITIVE_PARAMETERS = ["username", "password"]
# Nor does it store them: a typed name that is no account is kept as "(unknown)" (accounts/axes_username.py).
AXES_USERNAME_CALLABLE = "accounts.axes_username.axes_username"
# The client address the lockout counts. Behind TRUSTED_PROXY_COUNT reverse proxies that each
# append the address they saw to X-Forwarded-For, it is the one the outermost proxy wrote
# (helpline/client_address.py); by default X-Forwarded-For is not trusted and REMOTE_ADDR counts.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "helpline.client_address.client_address"

# Two-factor login (django-otp): TOTP for everyone; failed codes are throttled per device.
OTP_TOTP_ISSUER = "1712"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
BACKUP_CODE_COUNT = 10

# Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_ABSOLUTE_HOURS after
# login, whichever comes first (accounts.middleware); the cookie slides as the idle clock moves.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# The access gate (accounts.middleware) saves the session, and so renews its expiry and cookie,
# whenever it moves the idle clock: at most every LAST_SEEN_GRANULARITY seconds of activity.
# Saving it on every request as well cost three statements per request (issue 13).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# HTTPS: on whenever DEBUG is off (production); the local demo (DEBUG=True) runs over http.
# Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=True.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# The language cookie says which language a counsellor reads: sent over HTTPS only, like the others.
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): our own origin only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- E-mail: the single-use invitation links (accounts/emails.py, issue 11) --------------------
# SMTP from EMAIL_URL (smtp+tls://user:password@host:587) or EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS. Without either (the embedded demo) the
# console backend prints each mail, link included, in the terminal running the server.
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="1712 registratie <noreply@localhost>")
# Where the app is reached, for the links in mails (https://registratie.example.org). Empty: the
# address the coordinator's request came to.
SITE_URL = env.str("SITE_URL", default="")

# Change history (django-pghistory, PostgreSQL only): event tables refuse UPDATE and DELETE.
PGHISTORY_APPEND_ONLY = True
# Triggers are installed after every `migrate` (PostgreSQL only) rather than written into the
# migrations of the tracked apps: the history stays the audit app's concern.
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True
# Off (pghistory's default), and must stay so: the audit app installs its own context function
# after every migrate (audit/chain.py), one the app's role, which may not UPDATE the trail, can run.
PGHISTORY_INSTALL_CONTEXT_FUNC_ON_MIGRATE = False

LANGUAGE_CODE = "nl-be"
LANGUAGES = [("nl-be", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# Redis is the Celery broker and the cache when REDIS_URL is set; otherwise tasks run
# eagerly in the request and the cache lives in process memory.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "helpline",
        }
    }
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The code lists are kept per process and read again when a code changes (registration/codebook.py):
# the version that says so must be shared by every process, so only with Redis.
CODEBOOK_PROCESS_CACHE = bool(REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    # Deny by default: a session user must also have passed the two-factor step.
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.IsVerified"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "1712 registratie API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the vendored sidecar package, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["accounts.permissions.IsVerified"],
    # One name for the yes/no/unknown choice set shared by several handling fields.
    "ENUM_NAME_OVERRIDES": {"YesNoUnknownEnum": "registration.models.YesNoUnknown"},
}

# Logs carry no personal data: no request bodies, no free text; only ids and codes.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's request logger would print URLs with query strings on errors.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # pgtrigger announces every trigger it installs at each migrate.
        "pgtrigger": {"level": "WARNING"},
    },
}

# How the registration list pages.
CONTACTS_PER_PAGE = 50

# Reports on PostgreSQL read pre-aggregated monthly counts, kept current by triggers (reports/cube.py).
REPORT_PREAGGREGATE = env.bool("REPORT_PREAGGREGATE", default=True)
