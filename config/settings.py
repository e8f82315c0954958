"""Kenshu settings: one file, read from the environment.

The embedded default (no variable set) is a development setup: SQLite under
``var/``, a secret key generated once and kept in ``var/secret_key``, mail kept
in the database outbox and shown at ``/dev/mail/``. ``KENSHU_ENV=production``
turns on the production defaults (DEBUG off, a required SECRET_KEY, secure
cookies, HSTS) so that ``manage.py check --deploy`` reports nothing.
See docs/configuration.md.
"""

import os
import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("KENSHU_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

# pytest (>= 8.2) sets PYTEST_VERSION: the test suite gets the "test" profile
# without any variable to remember.
KENSHU_ENV = env.str(
    "KENSHU_ENV", default="test" if "PYTEST_VERSION" in os.environ else "development"
)
if KENSHU_ENV not in {"development", "test", "production"}:
    raise environ.ImproperlyConfigured(
        f"KENSHU_ENV must be development, test or production, not {KENSHU_ENV!r}"
    )
PRODUCTION = KENSHU_ENV == "production"
TESTING = KENSHU_ENV == "test"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)


def _embedded_secret_key() -> str:
    """A key generated once for the embedded default and kept under var/ (mode 0600)."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made by an earlier (or a concurrent) start: use it
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")  # required: ImproperlyConfigured when missing
elif TESTING:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="kenshu-test-secret-key-not-for-production-use-0123456789"
    )
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Kenshu's apps come before allauth so that their templates (e.g.
    # kenshu/accounts/templates/account/login.html) override allauth's.
    "kenshu.core",
    "kenshu.accounts",
    "kenshu.audit",
    "kenshu.notifications",
    "kenshu.catalog",
    "kenshu.cancellation",
    "kenshu.billing",
    "kenshu.enrollments",
    "kenshu.inventory",
    "kenshu.requests",
    "kenshu.backoffice",
    "kenshu.migration",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "captcha",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kenshu.core.middleware.JapaneseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "kenshu.accounts.middleware.StaffMFARequiredMiddleware",
]

# Benchmarks mount baseline views beside the site (bench/urls.py).
ROOT_URLCONF = env.str("KENSHU_ROOT_URLCONF", default="config.urls")
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kenshu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kenshu.core.context_processors.provider",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# SQLite under var/ by default; DATABASE_URL for PostgreSQL
# (postgres://user@host:5432/name; an empty name means "kenshu").
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kenshu.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["NAME"] = DATABASES["default"].get("NAME") or "kenshu"
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a lock instead of failing at once, and take the write lock at
    # the start of a transaction so that select_for_update-style sections
    # serialise rather than deadlock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis when REDIS_URL is set) -------------------------------------
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/account/"
LOGOUT_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"username"}  # login by user ID (R-ACCT-2)
ACCOUNT_SIGNUP_FIELDS = ["email*", "username", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = False  # one person may hold an individual and a corporate account
ACCOUNT_CHANGE_EMAIL = True  # one address per account; a new one is verified first
ACCOUNT_EMAIL_NOTIFICATIONS = True  # "password changed" and the like
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # never mail an address that has no account
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None  # the user chooses ("stay logged in")
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_ADAPTER = "kenshu.accounts.adapter.AccountAdapter"
# The user ID is optional at signup only because it defaults to the email
# address (SignupForm.clean), so login by user ID always has one.
SILENCED_SYSTEM_CHECKS = ["account.W001"]
ACCOUNT_FORMS = {
    "login": "kenshu.accounts.forms.LoginForm",
    "signup": "kenshu.accounts.forms.SignupForm",
    "reset_password": "kenshu.accounts.forms.ResetPasswordForm",
}
ACCOUNT_RATE_LIMITS = {
    # R-ACCT-2: 5 failures for one user ID lock it for 15 minutes (whether or
    # not it exists, so the lock says nothing about existence).
    "login_failed": env.str("KENSHU_LOGIN_FAILED_LIMIT", default="10/m/ip,5/15m/key"),
    # R-ACCT-3: forgot user ID, per IP and per address.
    "forgot_user_id": env.str("KENSHU_FORGOT_ID_LIMIT", default="10/h/ip,3/h/key"),
    "reset_password": "20/h/ip,5/h/key",
}
# Behind a reverse proxy, per-IP rate limits need the real client address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("KENSHU_TRUSTED_PROXY_COUNT", default=0)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # the reissue link works for 24 hours, once
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("KENSHU_PROVIDER_NAME", default="Kenshu")
#: Staff must have TOTP before using /staff/ and /admin/ (always in production).
KENSHU_STAFF_MFA_REQUIRED = env.bool("KENSHU_STAFF_MFA_REQUIRED", default=PRODUCTION)
CAPTCHA_IMAGE_SIZE = (150, 50)
CAPTCHA_FONT_SIZE = 32
CAPTCHA_LENGTH = 5

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "kenshu" / "static"]  # site-wide CSS and vendored assets
STATIC_ROOT = VAR_DIR / "static"  # collectstatic target (production)
# Outside production whitenoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Email ---------------------------------------------------------------------
# Every email goes through the outbox (kenshu.notifications). EMAIL_URL picks
# the transport, e.g. smtp://user:pass@host:587/?tls=True or consolemail://.
# The embedded default keeps sent messages in the database (viewable at
# /dev/mail/ with DEBUG).
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "kenshu.notifications.backends.DatabaseMailBackend"
KENSHU_NOREPLY_EMAIL = env.str("KENSHU_NOREPLY_EMAIL", default="no-reply@kenshu.example.jp")
DEFAULT_FROM_EMAIL = KENSHU_NOREPLY_EMAIL
SERVER_EMAIL = KENSHU_NOREPLY_EMAIL
KENSHU_STAFF_EMAIL = env.str("KENSHU_STAFF_EMAIL", default="jimukyoku@kenshu.example.jp")
KENSHU_OUTBOX_MAX_ATTEMPTS = env.int("KENSHU_OUTBOX_MAX_ATTEMPTS", default=5)
KENSHU_OUTBOX_RETRY_BASE_SECONDS = env.int("KENSHU_OUTBOX_RETRY_BASE_SECONDS", default=60)
#: Anonymous visitors' catalogue search pages (/courses/) are kept this many seconds
#: in the cache (0: off); the seats left shown may be that old (docs/performance.md).
KENSHU_CATALOGUE_CACHE_SECONDS = env.int(
    "KENSHU_CATALOGUE_CACHE_SECONDS", default=15 if PRODUCTION else 0
)
#: How long a waiting-list seat offer holds its seat.
KENSHU_WAITING_LIST_OFFER_HOURS = env.int("KENSHU_WAITING_LIST_OFFER_HOURS", default=48)
# How long a group learner's invitation link (set your password) works.
KENSHU_INVITATION_DAYS = env.int("KENSHU_INVITATION_DAYS", default=7)

# --- The provider -------------------------------------------------------------
KENSHU_PROVIDER_NAME = env.str("KENSHU_PROVIDER_NAME", default="研修センター(デモ)")
KENSHU_INVOICE_REGISTRATION_NUMBER = env.str(
    "KENSHU_INVOICE_REGISTRATION_NUMBER", default="T1234567890123"
)
KENSHU_SITE_URL = env.str("KENSHU_SITE_URL", default="http://127.0.0.1:8000")

# --- Background work ------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env.str("KENSHU_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

if TESTING:
    # Tests run tasks at once (after commit) and hash passwords quickly.
    TASKS["default"]["BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    CAPTCHA_TEST_MODE = True  # the answer "PASSED" is accepted; anything else is wrong

# --- Security -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
