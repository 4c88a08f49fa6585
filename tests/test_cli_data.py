"""One data location: the demo of `scripts/start`, the README's commands and the banner all use
the database every `parindex` command uses; reading never creates an empty database."""

import json
import os
import re
import subprocess
import sys

import pytest
from conftest import PARINDEX, ROOT, Cli, write

pytestmark = pytest.mark.cli

START = ROOT / "scripts" / "start"
README = ROOT / "README.md"


class DefaultCli(Cli):
    """The console script with no DATABASE_URL: the location a new user gets."""

    def __init__(self, workdir, **env):
        super().__init__("", workdir)
        self.extra = env

    def env(self, language="en"):
        env = super().env(language)
        for key in ("DATABASE_URL", "PARINDEX_DATA_DIR", "XDG_DATA_HOME", "SECRET_KEY"):
            env.pop(key, None)
        env.update(self.extra)
        return env


def info(cli) -> dict:
    result = cli("info", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_default_location_follows_the_data_directory(tmp_path):
    home = tmp_path / "home"
    doc = info(DefaultCli(tmp_path, HOME=str(home)))
    assert doc["database"]["engine"] == "sqlite"
    assert doc["database"]["location"] == str(home / ".local/share/parindex/parindex.sqlite3")
    assert doc["database"]["set_by"] == "default"
    assert doc["data_dir"] == str(home / ".local/share/parindex")
    assert doc["evidence_dir"] == str(home / ".local/share/parindex/evidence")
    moved = info(DefaultCli(tmp_path, HOME=str(home), PARINDEX_DATA_DIR=str(tmp_path / "d")))
    assert moved["database"]["location"] == str(tmp_path / "d" / "parindex.sqlite3")
    assert moved["database"]["set_by"] == "PARINDEX_DATA_DIR"
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    chosen = info(DefaultCli(tmp_path, HOME=str(home), DATABASE_URL=url))
    assert chosen["database"]["location"] == str(tmp_path / "elsewhere.sqlite3")
    assert chosen["database"]["set_by"] == "DATABASE_URL"


def test_reading_a_database_that_does_not_exist_creates_nothing(tmp_path):
    home = tmp_path / "home"
    fresh = DefaultCli(tmp_path, HOME=str(home))
    database = home / ".local/share/parindex/parindex.sqlite3"
    for args in (
        ("results", "--framework", "so-2022"),
        ("framework", "export", "so-2022", "-o", "so-2022.xlsx"),
        ("framework", "publish", "so-2022"),
    ):
        result = fresh(*args, language="vi")
        assert result.returncode != 0, args
        assert str(database) in result.stderr, (args, result.stderr)
        assert "parindex demo" in result.stderr and "parindex migrate" in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    for args in (("framework", "list"), ("units", "list")):
        result = fresh(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert str(database) in result.stderr and "parindex demo" in result.stderr
        listing = fresh(*args, "--json")
        assert listing.returncode == 0 and json.loads(listing.stdout) == []
    doc = info(fresh)
    assert doc["database"]["exists"] is False and doc["frameworks"] is None
    text = fresh("info", language="vi")
    assert text.returncode == 0 and str(database) in text.stdout
    assert "parindex demo" in text.stdout
    assert not database.exists(), "a read command created the database"
    assert not database.parent.exists(), "a read command created the data directory"


def test_info_counts_what_is_there(cli, library, tmp_path):
    assert cli("framework", "import", library / "so-2021.yaml", "--publish").returncode == 0
    units = write(tmp_path / "u.csv", "code,name,parent,group\nSYT,Sở Y tế,,\nA,A,SYT,\n")
    assert cli("units", "import", units).returncode == 0
    doc = info(cli)
    if cli.url.startswith("postgres"):
        assert doc["database"]["engine"] == "postgresql" and doc["database"]["exists"] is True
        assert doc["database"]["location"].startswith("postgresql://")
    else:
        assert doc["database"] == {
            "engine": "sqlite",
            "location": str(tmp_path / "parindex.sqlite3"),
            "exists": True,
            "set_by": "DATABASE_URL",
        }
    assert doc["frameworks"] == 1 and doc["units"] == 2 and doc["accounts"] == 0
    assert doc["data_dir"] == str(tmp_path / "data")
    text = cli("info", language="vi").stdout
    assert "Cơ sở dữ liệu" in text and "PARINDEX_DATA_DIR" in text and "DATABASE_URL" in text


def test_results_without_published_results_say_so_and_list_the_frameworks(cli, library):
    assert cli("framework", "import", library / "so-2021.yaml").returncode == 0
    result = cli("results", "--framework", "so-2021")
    assert result.returncode == 0, result.stderr
    assert "No published results for so-2021" in result.stdout, result.stdout
    assert "so-2021 (draft)" in result.stdout


def test_scripts_start_uses_the_location_of_every_command():
    text = START.read_text(encoding="utf-8")
    assert "var" not in re.sub(r"#.*", "", text), "scripts/start must not move the database"
    assert "PARINDEX_DATA_DIR=" not in text.replace("PARINDEX_DATA_DIR=/", "")
    assert "parindex info" in text  # the banner says where the database is
    for name in ("PARINDEX_DATA_DIR", "DATABASE_URL"):
        assert name in text  # and how to move it


def banner_commands() -> list[list[str]]:
    """The `parindex …` lines that scripts/start's banner suggests."""
    return [
        line.split("#")[0].split()[1:]
        for line in START.read_text(encoding="utf-8").splitlines()
        if line.startswith("  parindex ")
    ]


def readme_demo_commands() -> list[list[str]]:
    """The commands of the README's block that works on the demo."""
    block = re.search(r"```sh\n# on the demo[^\n]*\n(.*?)```", README.read_text("utf-8"), re.S)
    assert block, "README: no block of commands for the demo"
    return [
        line.split("#")[0].split()[1:]
        for line in block.group(1).splitlines()
        if line.startswith("parindex ")
    ]


def test_the_banner_and_the_readme_suggest_commands_that_work_on_the_demo(cli, tmp_path):
    suggested = banner_commands() + readme_demo_commands()
    assert len(banner_commands()) >= 4 and len(readme_demo_commands()) >= 4
    assert ["results", "--framework", "so-2022"] in suggested
    assert cli("demo").returncode == 0
    for args in suggested:
        result = cli(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stdout.strip(), args
    ranking = cli("results", "--framework", "so-2022", "--unit", "SYT").stdout
    assert "Sở Y tế" in ranking


def test_readme_and_banner_say_where_the_database_is():
    readme = README.read_text(encoding="utf-8")
    setup = readme.split("## Set-up")[1].split("\n## ")[0]
    assert "~/.local/share/parindex/parindex.sqlite3" in setup
    assert "PARINDEX_DATA_DIR" in setup and "DATABASE_URL" in setup
    assert "./var" not in readme and "var/parindex" not in readme
    assert "parindex info" in readme and "parindex help --all" in readme


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell")
def test_scripts_start_is_valid_bash():
    assert subprocess.run(["bash", "-n", str(START)]).returncode == 0


def test_the_console_script_is_installed():
    assert PARINDEX.exists() and os.access(PARINDEX, os.X_OK)


def test_read_commands_create_no_data_directory_nor_key(tmp_path):
    data = tmp_path / "new-data"
    fresh = DefaultCli(tmp_path, HOME=str(tmp_path / "home"), PARINDEX_DATA_DIR=str(data))
    for args in (
        ("info",),
        ("info", "--json"),
        ("framework", "list"),
        ("units", "list"),
        ("results", "--framework", "so-2022"),
        ("help",),
    ):
        fresh(*args, language="vi")
        assert not data.exists(), (args, "created", sorted(p.name for p in data.iterdir()))
