"""Django settings, read only from TRIBUNE_* environment variables.

See the configuration table in README.md. A bad value stops start-up with a
one-line SettingsError naming the variable (printed by `tribune`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from tribune.core import config
from tribune.core.env import SettingsError, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
TESTING = "pytest" in sys.modules or env_bool("TRIBUNE_TESTING", False)
VAR_DIR = config.var_dir()
if TESTING and "TRIBUNE_VAR_DIR" not in os.environ:
    VAR_DIR = VAR_DIR / "test"  # tests never touch the real install's files

DEBUG = env_bool("TRIBUNE_DEBUG", False)
SECRET_KEY = config.secret_key(None, VAR_DIR)
# Fernet keys for stored account credentials, newest first (see tribune.core.crypto).
CREDENTIALS_KEYS = config.credentials_keys(None, SECRET_KEY)
ALLOWED_HOSTS = env_list("TRIBUNE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("TRIBUNE_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("TRIBUNE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "axes",
    "huey.contrib.djhuey",
    "tribune.core",
    "tribune.workspaces",
    "tribune.strategy",
    "tribune.editorial",
    "tribune.networks",
    "tribune.publishing",
    "tribune.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tribune.workspaces.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tribune.urls"
WSGI_APPLICATION = "tribune.wsgi.application"

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
                "tribune.workspaces.context.workspace_context",
            ],
        },
    }
]

DATABASES = {"default": config.database_config(None, VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "workspaces.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is slow on purpose; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins: five in a row lock the username + address pair for 15 minutes.
AXES_FAILURE_LIMIT = env_int("TRIBUNE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Cookies: HttpOnly and SameSite always; Secure unless served over plain HTTP
# on a development machine (TRIBUNE_SECURE_COOKIES=false).
SECURE_COOKIES = env_bool("TRIBUNE_SECURE_COOKIES", not DEBUG and not SITE_URL.startswith("http:"))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("TRIBUNE_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded media: var/media, or TRIBUNE_MEDIA_STORAGE_URL (file:// or s3://).
    "default": config.media_storage_config(None, VAR_DIR),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
MEDIA_ROOT = VAR_DIR / "media"

globals().update(config.email_config(None, VAR_DIR))
DEFAULT_FROM_EMAIL = env_str("TRIBUNE_FROM_EMAIL", "Tribune <tribune@localhost>")

HUEY = config.queue_config(None, VAR_DIR)

# A per-process memory cache: what is cached is versioned (see strategy.views_plan),
# so processes never need to agree. Tests cache nothing unless a test asks to,
# because ids reused between rolled-back tests would make stale entries look fresh.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.dummy.DummyCache"
        if "pytest" in sys.modules
        else "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 500},
    }
}

LOG_LEVEL = env_str("TRIBUNE_LOG_LEVEL", "INFO").upper()

# How long a worker holds a publication it is sending before the sweeper
# presumes it dead (longer than any one publish can take; see publishing/claims.py).
PUBLISH_LEASE_SECONDS = env_int("TRIBUNE_PUBLISH_LEASE_SECONDS", 600, minimum=10, maximum=86400)
# Threads of each worker process that send publications (publishing/runner.py); what one
# process sends at once to one server is capped lower by the network's rules.
PUBLISH_THREADS = env_int("TRIBUNE_PUBLISH_THREADS", 32, minimum=1, maximum=256)
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise SettingsError(
        f"TRIBUNE_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL (got {LOG_LEVEL!r})"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {name: {"level": "WARNING"} for name in ("axes", "huey", "weasyprint", "fontTools")},
}
