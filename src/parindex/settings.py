"""Settings, read from the environment (healthchecks style: one module, small typed helpers).

DATABASE_URL      sqlite:///path/to/file.sqlite3 (default: the embedded file below) or
                  postgres://user:password@host:port/name (production)
PARINDEX_DATA_DIR where the embedded database lives (default: ~/.local/share/parindex)
PARINDEX_LANGUAGE vi (default) or en
SECRET_KEY        required in production (DEBUG off)
"""

import os
from pathlib import Path

import dj_database_url
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

DEBUG = envbool("DEBUG")
SECRET_KEY = envsecret("SECRET_KEY") or "parindex-insecure-development-key"
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
    "parindex.library",
    "parindex.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parindex.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
        # start of a transaction instead of failing half-way with "database is locked".
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=10000",
            "transaction_mode": "IMMEDIATE",
        }
        config["CONN_MAX_AGE"] = 0
        name = config.get("NAME")
        if name and name != ":memory:":
            Path(name).parent.mkdir(parents=True, exist_ok=True)
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
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

# Evidence documents: outside the static root, served only through a permission-checked view.
EVIDENCE_ROOT = Path(os.getenv("PARINDEX_EVIDENCE_DIR") or DATA_DIR / "evidence")
EVIDENCE_MAX_BYTES = int(os.getenv("PARINDEX_EVIDENCE_MAX_MB", "20")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
