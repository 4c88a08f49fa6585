"""Settings from the environment: the database, the embedded default in WAL mode, locale."""

import os
import sqlite3

import pytest
from conftest import Cli
from django.conf import settings
from django.db import connection


def test_the_suite_runs_on_the_database_it_was_given():
    url = os.environ.get("DATABASE_URL", "sqlite")
    expected = "postgresql" if url.startswith("postg") else "sqlite"
    assert connection.vendor == expected


def test_vietnamese_time_zone_and_formats():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh" and settings.USE_TZ
    from django.utils import formats, translation

    with translation.override("vi"):
        assert formats.get_format("SHORT_DATE_FORMAT") == "d/m/Y"
        assert formats.number_format(3105.5, 1, force_grouping=True) == "3.105,5"


@pytest.mark.cli
def test_the_embedded_database_is_sqlite_in_wal_mode(tmp_path):
    # Whatever database this run is on, the embedded default must be SQLite in WAL mode.
    cli = Cli(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", tmp_path)
    assert cli("migrate", "-v", "0").returncode == 0
    with sqlite3.connect(tmp_path / "fresh.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_without_database_url_the_default_is_a_file_in_the_data_dir(tmp_path):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PARINDEX_DATA_DIR"] = str(tmp_path)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='parindex.settings'; "
        "django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['NAME'])"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == str(tmp_path / "parindex.sqlite3")
