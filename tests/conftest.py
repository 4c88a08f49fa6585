"""Shared fixtures. The suite runs on whatever DATABASE_URL names (SQLite by default; the test
command runs it a second time on a real PostgreSQL server)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from parindex.library import LIBRARY_DIR

ROOT = Path(__file__).resolve().parent.parent
PARINDEX = Path(sys.executable).with_name("parindex")


@pytest.fixture(autouse=True)
def _english_by_default():
    """Tests read messages in English unless they ask for Vietnamese."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Computed results and parsed frameworks are cached in memory; tests start empty."""
    from parindex.assessments.results import clear_cache
    from parindex.frameworks import models
    from parindex.registers import calendar

    clear_cache()
    models._DOMAINS.clear()
    calendar._cache.clear()  # a rolled-back override sends no signal
    yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing a password properly takes ~0,3 s by design; tests need no such protection."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def library():
    return LIBRARY_DIR


def _is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _server_url(name: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{db['USER']}{password}@{host}{port}/{name}"


def _admin_execute(sql: str) -> None:
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname="postgres",
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        autocommit=True,
    ) as conn:
        conn.execute(sql)


class Cli:
    """Runs the real console script against its own database, like a user at a terminal."""

    def __init__(self, url: str, workdir: Path):
        self.url = url
        self.workdir = workdir

    def env(self, language: str = "en") -> dict:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
        env.update(
            DATABASE_URL=self.url,
            PARINDEX_LANGUAGE=language,
            PARINDEX_DATA_DIR=str(self.workdir / "data"),
        )
        env.pop("DJANGO_SETTINGS_MODULE", None)
        return env

    def __call__(self, *args: str, language: str = "en", module: bool = False):
        command = [sys.executable, "-m", "parindex"] if module else [str(PARINDEX)]
        return subprocess.run(
            [*command, *map(str, args)],
            capture_output=True,
            text=True,
            env=self.env(language),
            cwd=self.workdir,
            timeout=300,
        )


@pytest.fixture(scope="session")
def cli_template(tmp_path_factory):
    """A migrated empty database, copied for each CLI test (migrating is the slow part)."""
    workdir = tmp_path_factory.mktemp("cli-template")
    if _is_postgres():
        name = f"parindex_cli_tpl_{uuid.uuid4().hex[:8]}"
        _admin_execute(f'CREATE DATABASE "{name}"')
        url = _server_url(name)
    else:
        url = f"sqlite:///{workdir / 'template.sqlite3'}"
    result = Cli(url, workdir)("migrate", "-v", "0")
    assert result.returncode == 0, result.stderr
    yield url if not _is_postgres() else name
    if _is_postgres():
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def cli(cli_template, tmp_path):
    if _is_postgres():
        name = f"parindex_cli_{uuid.uuid4().hex[:10]}"
        _admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{cli_template}"')
        yield Cli(_server_url(name), tmp_path)
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        source = Path(cli_template.removeprefix("sqlite:///"))
        target = tmp_path / "parindex.sqlite3"
        shutil.copy(source, target)
        yield Cli(f"sqlite:///{target}", tmp_path)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- personas (healthchecks style): alice is staff of the hospital A, bob of the CDC B,
# carol appraises A, dave leads the Sở Y tế, erin is its CCHC officer, frank has no role.


@pytest.fixture
def people(db):
    from django.contrib.auth.models import User

    names = ["alice", "bob", "carol", "dave", "erin", "frank"]
    return {name: User.objects.create_user(name, password=f"{name}-pw") for name in names}


@pytest.fixture
def syt(people):
    from parindex.units.models import Membership, Unit

    syt = Unit.objects.create(code="SYT", name="Sở Y tế")
    a = Unit.objects.create(code="A", name="Bệnh viện A", parent=syt)
    b = Unit.objects.create(code="B", name="CDC B", parent=syt)
    Membership.objects.create(user=people["alice"], unit=a, role="staff")
    Membership.objects.create(user=people["bob"], unit=b, role="staff")
    Membership.objects.create(user=people["dave"], unit=syt, role="leader")
    Membership.objects.create(user=people["erin"], unit=syt, role="officer")
    return {"SYT": syt, "A": a, "B": b}


@pytest.fixture
def round_(people, syt):
    """A round of the helpers' framework for SYT, A and B; carol appraises A."""
    from helpers import make_framework, round_dates

    from parindex.assessments.actions import open_round
    from parindex.frameworks.services import save_framework

    framework, _ = save_framework(make_framework(), publish=True)
    return open_round(
        people["erin"],
        framework=framework,
        owner=syt["SYT"],
        title="CCHC 2024",
        dates=round_dates(),
        units=[syt["SYT"], syt["A"], syt["B"]],
        appraisers={syt["A"].pk: [people["carol"]]},
    )


# --- remediation plans (plan_helpers.py) ---------------------------------------------------


@pytest.fixture
def plan_demo(db):
    """The demo province; erin is the CCHC officer and dave a leader of the Sở Y tế, alice is
    staff of the hospital (BVDK), bob of the CDC, carol of the Sở's own office; frank holds no
    role."""
    from django.contrib.auth.models import User

    from parindex.frameworks.models import Framework
    from parindex.library.demo import load_demo
    from parindex.units.models import Membership, Unit

    load_demo()
    units = {code: Unit.objects.get(code=code) for code in ("SYT", "BVDK", "CDC", "SYT-VP")}
    people = {}
    for name, unit, role in (
        ("erin", "SYT", "officer"),
        ("dave", "SYT", "leader"),
        ("alice", "BVDK", "staff"),
        ("bob", "CDC", "staff"),
        ("carol", "SYT-VP", "staff"),
        ("frank", None, None),
    ):
        people[name] = User.objects.create_user(name, email=f"{name}@syt.example")
        if unit:
            Membership.objects.create(user=people[name], unit=units[unit], role=role)
    framework = Framework.objects.get(code="so-2022")
    return {"units": units, "people": people, "framework": framework}


# --- the browser (Debian's Chromium through Playwright), one per test session -----------------


@pytest.fixture(scope="session")
def browser():
    import browser as browser_support
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = browser_support.launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def demo_site():
    """What `parindex demo` makes: the demo data and its accounts (user / user-demo)."""
    from parindex.library.accounts import load_demo_accounts
    from parindex.library.demo import load_demo

    load_demo()
    load_demo_accounts()


def pytest_terminal_summary(terminalreporter):
    import browser as browser_support

    if browser_support.taken:
        terminalreporter.write_line(
            f"{len(browser_support.taken)} screenshot(s) of the pages in "
            f"{browser_support.SCREENSHOTS}"
        )
