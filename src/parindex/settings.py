"""Settings, read from the environment (healthchecks style: one module, small typed helpers).

DATABASE_URL      sqlite:///path/to/file.sqlite3 (default: the embedded file below) or
                  postgres://user:password@host:port/name (production)
PARINDEX_DATA_DIR where the embedded database lives (default: ~/.local/share/parindex)
PARINDEX_LANGUAGE vi (default) or en
SECRET_KEY        (or SECRET_KEY_FILE) the signing key; default: a random key made on first
                  use and kept in DATA_DIR/secret_key (mode 0600), one per installation
PARINDEX_HTTPS    1 behind the province's HTTPS reverse proxy: secure cookies, HSTS, redirect
"""

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def envbool(name: str, default: str = "False") -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envsecret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE."""
    path = os.getenv(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.getenv(name, default)


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(
    os.getenv("PARINDEX_DATA_DIR")
    or Path(os.getenv("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "parindex"
)


def installation_key(data_dir: Path) -> str:
    """The signing key of this installation: DATA_DIR/secret_key, made on first use.

    Created with O_EXCL and mode 0600, so two processes starting at once agree on one key:
    the one that loses the race reads the winner's file (waiting for it to be written)."""
    path = data_dir / "secret_key"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            for _attempt in range(200):  # the winner writes right after creating: ~µs
                key = path.read_text(encoding="ascii").strip()
                if key:
                    return key
                time.sleep(0.01)
            raise ImproperlyConfigured(
                f"{path} is empty: delete it (a new key is made) or set SECRET_KEY"
            ) from None
        key = secrets.token_urlsafe(50)
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(key + "\n")
        return key
    except OSError as exc:
        raise ImproperlyConfigured(
            f"No SECRET_KEY is set and the key file {path} cannot be read or created "
            f"({exc.strerror or exc}). Set SECRET_KEY (or SECRET_KEY_FILE), or make "
            f"PARINDEX_DATA_DIR a directory this user can write."
        ) from exc


def signing_key() -> str:
    """Never a secret in the code: from the environment, else this installation's own key file.

    A `parindex` command that serves no page signs nothing that outlives it (no session, no
    password-reset link): the console script says so with PARINDEX_NO_KEY_FILE=1 (cli.py), and
    such a command uses the key file if there is one, else a key of its own for this run —
    so that reading (`parindex info`, `results` …) creates no directory and no file."""
    key = envsecret("SECRET_KEY")
    if key:
        return key
    if os.getenv("PARINDEX_NO_KEY_FILE") == "1" and not (DATA_DIR / "secret_key").is_file():
        return secrets.token_urlsafe(50)
    return installation_key(DATA_DIR)


DEBUG = envbool("DEBUG")
SECRET_KEY = signing_key()
ALLOWED_HOSTS = [h for h in os.getenv("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "parindex.units",
    "parindex.frameworks",
    "parindex.assessments",
    "parindex.registers",
    "parindex.plans",
    "parindex.documents",
    "parindex.library",
    "parindex.web",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
]

# Background jobs (a large register import started from a page): django-tasks with its
# database backend, so the queue lives in the one database; `parindex serve` runs the worker.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    # First: refuses an oversized body (413) before anything reads it.
    "parindex.web.limits.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # An id for every request: on the response (X-Request-ID), in the log, on the error pages.
    "parindex.web.requestid.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parindex.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "parindex.urls"
WSGI_APPLICATION = "parindex.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict:
    url = os.getenv("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'parindex.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at the
        # start of a transaction instead of failing half-way with "database is locked". The
        # journal size limit gives the disk back after a large import (the write-ahead log
        # grows to the size of the import and would otherwise stay that size). Pages of
        # 16 KiB (set when the file is created; ignored after) write and read a million
        # dossiers with a quarter of the system calls of the default 4 KiB.
        config["OPTIONS"] = {
            "init_command": "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; "
            "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
            "PRAGMA journal_size_limit=67108864",
            "transaction_mode": "IMMEDIATE",
        }
        config["CONN_MAX_AGE"] = 0
        # Django's back-end, which makes the file's directory on the first connection only:
        # reading the settings creates nothing.
        config["ENGINE"] = "parindex.db.sqlite3"
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = os.getenv("PARINDEX_LANGUAGE", "vi")
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["parindex.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"

STATIC_URL = "static/"
# Only for deployments that run collectstatic; otherwise WhiteNoise serves from the apps.
STATIC_ROOT = os.getenv("PARINDEX_STATIC_ROOT") or None
# Static files are served by WhiteNoise straight from the apps (no collectstatic step).
WHITENOISE_USE_FINDERS = True
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "parindex.web.requestid.csrf_failure"  # the site's page, in its language
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

# Evidence documents: outside the static root, served only through a permission-checked view.
EVIDENCE_ROOT = Path(os.getenv("PARINDEX_EVIDENCE_DIR") or DATA_DIR / "evidence")
EVIDENCE_MAX_BYTES = int(os.getenv("PARINDEX_EVIDENCE_MAX_MB", "20")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mail (the reminders of remediation items): sent through Django's backend when one is
# configured: an SMTP server (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
# EMAIL_USE_TLS) or any backend by its path (EMAIL_BACKEND). Without, reminders are in-app only.
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
EMAIL_PORT = int(os.getenv("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.getenv("EMAIL_USE_TLS", "").lower() in ("1", "true", "yes")
EMAIL_BACKEND = os.getenv("EMAIL_BACKEND") or "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "parindex@localhost")
EMAIL_CONFIGURED = bool(EMAIL_HOST or os.getenv("EMAIL_BACKEND"))
# The hour (Asia/Ho_Chi_Minh) at which `parindex serve`'s worker sends the day's reminders.
REMIND_HOUR = int(os.getenv("PARINDEX_REMIND_HOUR", "7"))
# The place name of the documents' date line ("Bà Rịa, ngày 15 tháng 3 năm 2021").
DOCUMENT_PLACE = os.getenv("PARINDEX_DOCUMENT_PLACE", "Hòa Bình")
# The address in the reminders' links (the server as its users reach it).
SITE_URL = os.getenv("PARINDEX_SITE_URL", "http://127.0.0.1:8000")


# --- Security and serving (issue 6) ---------------------------------------------------------

# Passwords people choose themselves are checked; the demo accounts of `parindex demo` are
# made with create_user, which bypasses validators on purpose (printed demo passwords).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): 5 wrong passwords for one user name from one address lock
# that pair out for 30 minutes (HTTP 429, registration/locked.html); a success resets the
# count. Another user at the same address (one office, one NAT) is not affected.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "parindex.web.limits.locked_out"
AXES_VERBOSE = False

# Content Security Policy (django-csp 4): no inline script or style anywhere; the pages load
# their own static files only. Evidence downloads set their own stricter "sandbox" policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Always.
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# A session lasts one working day (8 hours and a lunch break): a shared office computer left
# logged in overnight is logged out by the morning, and nobody is cut off mid-afternoon.
SESSION_COOKIE_AGE = 9 * 60 * 60

# PARINDEX_HTTPS=1: served as https:// by the province's reverse proxy, which terminates TLS
# and must set X-Forwarded-Proto (and append the client to X-Forwarded-For). Off by default
# so that the demo works on http://127.0.0.1:8000/.
HTTPS = envbool("PARINDEX_HTTPS")
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy's health probe may use plain HTTP
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Behind the proxy every request comes from the proxy's address: count login failures
    # against the client address the proxy appended to X-Forwarded-For.
    AXES_CLIENT_IP_CALLABLE = "parindex.web.limits.client_ip_behind_proxy"
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload (security.W021) is a deliberate "no": the preload list is a commitment for
    # the whole domain (the province's, shared with other departments) that this application
    # cannot make, and removal from the list takes months.
    "security.W021",
]

# Serving: `parindex serve` refuses a request body larger than this before reading it (the
# largest evidence file plus the multipart envelope and the form's other fields).
MAX_REQUEST_BODY_BYTES = EVIDENCE_MAX_BYTES + 1024 * 1024

# --- Logging and request ids (issue 6) --------------------------------------------------------
# A server error (a 500 and its traceback) goes to stderr, the service's journal, in every
# mode (Django's default only mails it to ADMINS, which a department does not set up), as do
# parindex's own loggers. Each line carries the request id that the error page shows the user
# and the X-Request-ID header returns ("-" outside a request): parindex.web.requestid.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "parindex.web.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_id"],
            "formatter": "plain",
        }
    },
    "loggers": {
        "django.request": {
            "handlers": ["stderr"],
            "filters": ["request_id"],
            "level": "ERROR",
            "propagate": False,
        },
        "parindex": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}
