"""Delta's one settings module, driven by environment variables (see ``.env.example``).

Nothing set gives the embedded single-machine set-up: SQLite in WAL mode, an in-memory channel
layer, a local-memory cache and django-q2 with the database as its broker. ``DATABASE_URL``
switches to PostgreSQL; ``REDIS_URL`` switches the channel layer and the cache to Redis (the
task broker stays the database: decision 79). ``SECRET_KEY`` is required whenever ``DEBUG`` is
off.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from democracy.env import (
    env_bool,
    env_int,
    env_list,
    env_path,
    env_required,
    env_str,
    load_local_env,
)
from democracy.redis_hosts import channel_layer_host

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env_path("DATA_DIR", BASE_DIR / "var")

# `make run` writes var/local.env (git-ignored: DEBUG=1, a generated SECRET_KEY, SITE_URL from
# HOST) so that manage.py commands work from the checkout afterwards. DELTA_PRODUCTION=1 ignores
# it; DELTA_LOCAL_ENV names another file, or none when empty (the test suite sets that).
if not env_bool("DELTA_PRODUCTION", False):
    _local_env = env_str("DELTA_LOCAL_ENV", str(BASE_DIR / "var" / "local.env"))
    if _local_env:
        load_local_env(Path(_local_env))

DEBUG = env_bool("DEBUG", False)
if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or "insecure-development-key-only-for-debug-mode"
else:
    SECRET_KEY = env_required("SECRET_KEY")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Municipality ---------------------------------------------------------------------------
MUNICIPALITY_NAME = env_str("MUNICIPALITY_NAME", "Norrviks kommun")
MUNICIPALITY_REGISTRY_EMAIL = env_str("MUNICIPALITY_REGISTRY_EMAIL", "registrator@norrvik.example")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Applications ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "channels",
    "django_q",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "democracy.core",
    "democracy.accounts",
    "democracy.people",
    "democracy.diary",
    "proposals",
    "youth_vote",
]

MIDDLEWARE = [
    "democracy.core.middleware.QueueTimeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "democracy.core.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "democracy.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

# Overload (docs/decisions.md 75): a request that waited longer than this many seconds for a
# server thread after the proxy passed it on is answered 503 at once (0: never); busy answers
# (that one, and a database pool timeout) tell the client to come back after BUSY_RETRY_AFTER.
REQUEST_QUEUE_TIMEOUT = float(env_str("REQUEST_QUEUE_TIMEOUT", "5") or 0)
BUSY_RETRY_AFTER = env_int("BUSY_RETRY_AFTER", 5)

ROOT_URLCONF = "democracy.urls"
WSGI_APPLICATION = "democracy.wsgi.application"
ASGI_APPLICATION = "democracy.asgi.application"

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
                "democracy.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    # DATABASE_POOL_SIZE > 0: every process keeps a psycopg pool of at most that many
    # connections (and opens no others), so the total is bounded by processes × pool size
    # whatever the load; `make run-production` sets it (see docs/deployment.md for the budget).
    DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=0 if DATABASE_POOL_SIZE else env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=not DATABASE_POOL_SIZE,
        )
    }
    if DATABASE_POOL_SIZE:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            # A request waits this long for a free connection, then gets 503 with Retry-After
            # (core.views.server_error), never a PostgreSQL "too many clients".
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 5),
        }
else:
    SQLITE_PATH = env_path("SQLITE_PATH", DATA_DIR / "delta.sqlite3")
    # A fresh checkout has no data folder yet; SQLite needs it to create the file.
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
                # BEGIN so concurrent writers queue on busy_timeout instead of failing with
                # "database is locked" half-way through a transaction.
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Browser tests serve the app from other threads, so the test database must be a
            # file every connection can open, not a per-connection in-memory database.
            "TEST": {"NAME": env_str("SQLITE_TEST_PATH", str(DATA_DIR / "test.sqlite3"))},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ---------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "democracy.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "delta",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # Timeouts and retries: see democracy/redis_hosts.py.
                "hosts": [channel_layer_host(REDIS_URL)],
                "prefix": "delta:channels",
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

Q_CLUSTER = {
    "name": "delta",
    "workers": env_int("TASK_WORKERS", 2),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 500,
    "label": _("Background tasks"),
    # Tests run tasks in-line so their effects can be asserted; see [tool.pytest.ini_options].
    "sync": env_bool("TASKS_SYNC", False),
    # The broker is the database, with or without Redis (decision 79): a task is a row written
    # in the transaction that queues it, locked while a worker runs it and deleted only when it
    # has run, so a worker killed mid-run loses nothing: the row is handed out again "retry"
    # seconds after it was taken. Redis's broker has no acknowledgement: what a killed cluster
    # had taken was lost. An idle cluster looks for new rows every "poll" seconds.
    "orm": "default",
    "poll": 0.2,
}

# --- Audit log -------------------------------------------------------------------------------
# The key that seals every audit entry (HMAC), kept out of the database so that whoever can
# write the database cannot forge entries. Unset: derived from SECRET_KEY. Set it in production
# and never change it (old entries stay sealed with the key they were written with).
AUDIT_KEY = env_str("AUDIT_KEY", "")
# Where the daily checkpoint of the audit head goes, outside the database: e-mail addresses
# (the registrar) and/or a file that only the application's user may append to.
AUDIT_CHECKPOINT_EMAILS = env_list("AUDIT_CHECKPOINT_EMAILS", [])
AUDIT_CHECKPOINT_FILE = env_str("AUDIT_CHECKPOINT_FILE", "")

# --- Sessions, authentication and accounts --------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SAMESITE = "Lax"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends with the signed-in account read from the cache.
    "democracy.accounts.backends.ModelBackend",
    "democracy.accounts.backends.AuthenticationBackend",
]
# How long the signed-in account's row is kept in the cache (0: off). It is cached only in a
# shared cache (Redis), checked against a version token each save replaces (decision 91).
ACCOUNTS_USER_CACHE_SECONDS = env_int("ACCOUNTS_USER_CACHE_SECONDS", 300)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:overview"

ACCOUNT_ADAPTER = "democracy.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{MUNICIPALITY_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SECURE_COOKIES else "http"
# allauth's own defaults are sensible; they are spelled out so they can be read and reviewed.
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = MUNICIPALITY_NAME
MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"

SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_PROVIDERS = {}
if env_str("OIDC_CLIENT_ID"):
    # The optional e-ID tier: any OpenID Connect identity broker the municipality contracts.
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": "eid",
                "name": env_str("OIDC_NAME", "e-legitimation"),
                "client_id": env_str("OIDC_CLIENT_ID"),
                "secret": env_required("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": env_required("OIDC_SERVER_URL")},
            }
        ]
    }

# --- E-mail ---------------------------------------------------------------------------------
# Every message is handed to the task queue; the worker delivers it with the backend below.
EMAIL_BACKEND = "democracy.core.mail.QueuedEmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "")
DELTA_EMAIL_DELIVERY_BACKEND = env_str(
    "EMAIL_DELIVERY_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Delta <noreply@norrvik.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "sv"
# The site's languages (issue 15): adding one is an entry here and its catalogues
# (`makemessages -l <code>`); the language switch, the right-to-left layout (Django's
# LANGUAGES_BIDI) and the accounts' language choice follow this list. Swedish stays the default.
LANGUAGES = [("sv", _("Swedish")), ("en", _("English")), ("fi", _("Finnish")), ("ar", _("Arabic"))]
# Delta's own corrections of allauth's Swedish (e-post, not "Epost"/"mail"; no "Vänligen"):
# LOCALE_PATHS win over every app's catalogue. Kept apart from locale/ so makemessages leaves it.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "democracy" / "accounts" / "allauth_sv"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env_path("STATIC_ROOT", DATA_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", DATA_DIR / "media")
# Files a view must allow first (candidates' photos under review): behind nginx the view
# answers with X-Accel-Redirect to this internal location (deploy/nginx/delta.conf); empty:
# Django sends the file. `make run-production` runs behind nginx, so it is set there.
MEDIA_INTERNAL_URL = env_str(
    "MEDIA_INTERNAL_URL", "/internal-media/" if env_bool("DELTA_PRODUCTION", False) else ""
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Sign-language films (decision 90): a few minutes of film at web quality; nginx lets bodies
# this large through on the staff upload page only (deploy/nginx/delta.conf).
SIGN_LANGUAGE_VIDEO_MAX_BYTES = 200 * 1024 * 1024
SIGN_LANGUAGE_CAPTIONS_MAX_BYTES = 1024 * 1024

# --- Content-Security-Policy: no inline script or style, nothing from other origins ----------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, *env_list("CSP_FORM_ACTION_EXTRA")],
    }
}

# --- Rate limits ----------------------------------------------------------------------------
RATELIMIT_VIEW = "democracy.core.views.rate_limited"
RATELIMIT_IP_META_KEY = env_str("RATELIMIT_IP_META_KEY") or None
SILENCED_SYSTEM_CHECKS = [
    # The local-memory cache is per process; that is correct for the one-process embedded
    # set-up, and REDIS_URL gives a shared cache for anything larger.
    "django_ratelimit.E003",
    "django_ratelimit.W001",
]

# --- Sanitised rich text (democracy.core.sanitize) -----------------------------------------
DELTA_RICH_TEXT_TAGS = ["p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h2", "h3"]
DELTA_RICH_TEXT_ATTRIBUTES = {"a": ["href", "title"]}
DELTA_RICH_TEXT_PROTOCOLS = ["http", "https", "mailto"]

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "daphne": {"level": "WARNING"},
    },
}

# --- E-proposals (proposals/): Göteborgsförslaget's rules as defaults ------------------------
PROPOSALS_SIGNATURE_THRESHOLD = env_int("PROPOSALS_SIGNATURE_THRESHOLD", 200)
PROPOSALS_SIGNING_DAYS = env_int("PROPOSALS_SIGNING_DAYS", 90)
PROPOSALS_REPEAT_MONTHS = env_int("PROPOSALS_REPEAT_MONTHS", 12)
PROPOSALS_TREATMENT_DAYS = env_int("PROPOSALS_TREATMENT_DAYS", 180)
PROPOSALS_ANONYMISE_AFTER_DAYS = env_int("PROPOSALS_ANONYMISE_AFTER_DAYS", 90)
# Seconds between two recounts (and live broadcasts) of one proposal's signatures.
PROPOSALS_COUNT_INTERVAL = env_int("PROPOSALS_COUNT_INTERVAL", 1)
# Milliseconds between two looks at the stored counts of the proposals open in this web process
# (0: never). Without Redis the channel layer is each process's own memory, so the worker's
# live updates cannot reach the pages; the web process reads the counts the worker wrote
# instead (proposals/live.py). With Redis the worker publishes to every process directly.
PROPOSALS_COUNT_WATCH_MS = env_int("PROPOSALS_COUNT_WATCH_MS", 0 if REDIS_URL else 500)
# Reports that hide a comment until a moderator has looked at it.
PROPOSALS_REPORTS_TO_HIDE = env_int("PROPOSALS_REPORTS_TO_HIDE", 3)
# Rate limits (django-ratelimit syntax): signing, and writing (proposals, comments, reports).
PROPOSALS_SIGN_RATE_USER = env_str("PROPOSALS_SIGN_RATE_USER", "30/m")
PROPOSALS_SIGN_RATE_IP = env_str("PROPOSALS_SIGN_RATE_IP", "300/m")
PROPOSALS_WRITE_RATE_USER = env_str("PROPOSALS_WRITE_RATE_USER", "20/h")
PROPOSALS_WRITE_RATE_IP = env_str("PROPOSALS_WRITE_RATE_IP", "100/h")
# Signatures on one proposal from one network (/24, /48) or e-mail domain within the window
# that raise an alert for moderators.
PROPOSALS_BURST_THRESHOLD = env_int("PROPOSALS_BURST_THRESHOLD", 50)
PROPOSALS_BURST_WINDOW_MINUTES = env_int("PROPOSALS_BURST_WINDOW_MINUTES", 10)

# --- Youth-council election (youth_vote/) ---------------------------------------------------
# Key for the keyed hashes of voting codes; falls back to SECRET_KEY-derived key when unset.
YOUTH_VOTE_CODE_KEY = env_str("YOUTH_VOTE_CODE_KEY", "")
YOUTH_VOTE_MIN_REPORTED_COUNT = env_int("YOUTH_VOTE_MIN_REPORTED_COUNT", 10)
YOUTH_VOTE_TURNOUT_STEP = env_int("YOUTH_VOTE_TURNOUT_STEP", 5)
