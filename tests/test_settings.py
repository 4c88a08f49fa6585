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
def test_the_embedded_database_is_sqlite_in_wal_mode_with_large_pages(tmp_path):
    # Whatever database this run is on, the embedded default must be SQLite in WAL mode.
    cli = Cli(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", tmp_path)
    assert cli("migrate", "-v", "0").returncode == 0
    with sqlite3.connect(tmp_path / "fresh.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # Made with 16 KiB pages (docs/scale.md).
        assert db.execute("PRAGMA page_size").fetchone()[0] == 16384


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


# --- the signing key: never in the code -----------------------------------------------------

PRINT_KEY = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'parindex.settings'; "
    "django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
)


def start(data_dir, **env_extra):
    """A fresh process reading the settings, as `parindex` does at each start."""
    import subprocess
    import sys

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"))
    }
    env.update(PARINDEX_DATA_DIR=str(data_dir), **env_extra)
    return subprocess.Popen(
        [sys.executable, "-c", PRINT_KEY],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def key_of(data_dir, **env_extra) -> str:
    out, err = start(data_dir, **env_extra).communicate(timeout=60)
    assert out.strip(), err
    return out.strip()


def test_without_secret_key_each_installation_makes_its_own_and_keeps_it(tmp_path):
    first = key_of(tmp_path / "a")
    path = tmp_path / "a" / "secret_key"
    assert path.read_text().strip() == first
    assert path.stat().st_mode & 0o777 == 0o600  # readable by its owner only
    assert len(first) >= 50 and "insecure" not in first
    assert key_of(tmp_path / "a") == first  # the next start reuses it
    assert key_of(tmp_path / "b") != first  # another installation has another key


def test_processes_starting_together_agree_on_one_key(tmp_path):
    processes = [start(tmp_path / "data") for _ in range(6)]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert len(keys) == 1 and "" not in keys
    assert (tmp_path / "data" / "secret_key").read_text().strip() in keys


def test_the_secret_key_from_the_environment_wins(tmp_path):
    assert key_of(tmp_path, SECRET_KEY="from-the-environment") == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
    secret = tmp_path / "key.txt"
    secret.write_text("from-a-file\n")
    assert key_of(tmp_path, SECRET_KEY_FILE=str(secret)) == "from-a-file"


def test_an_unwritable_data_dir_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    out, err = start(blocker / "data").communicate(timeout=60)
    assert out == ""
    assert "ImproperlyConfigured" in err and "SECRET_KEY" in err and "PARINDEX_DATA_DIR" in err


def test_this_run_uses_no_key_written_in_the_code():
    assert settings.SECRET_KEY != "parindex-insecure-development-key"
    assert "insecure" not in settings.SECRET_KEY
