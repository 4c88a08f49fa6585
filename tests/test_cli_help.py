"""`parindex` belongs to parindex: its own commands listed by group and described in the user's
language, every option explained, argparse's own words translated, and errors in one line."""

import re

import pytest
from django.utils import translation

pytestmark = pytest.mark.cli

OWN = ("framework", "units", "scores", "results", "info", "demo", "serve", "migrate")
DEVELOPER = ("flush", "dbshell", "startproject", "makemigrations", "axes_reset", "shell")


def listed(text: str, command: str) -> bool:
    """The command is a line of the list: its name, then its description."""
    return re.search(rf"^ +{command} +\S", text, re.M) is not None


@pytest.mark.parametrize("args", [(), ("--help",), ("help",), ("-h",)])
def test_parindex_lists_its_own_commands_by_group_in_vietnamese(cli, args):
    result = cli(*args, language="vi")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for group in ("Bộ tiêu chí", "Đơn vị", "Điểm và kết quả", "Hệ thống"):
        assert f"\n{group}:\n" in out, out
    assert all(listed(out, command) for command in OWN), out
    assert not any(listed(out, command) for command in DEVELOPER), out
    assert "Available subcommands" not in out and "[django]" not in out
    assert "parindex help --all" in out  # the way to Django's developer commands
    assert "Cách dùng" in out


def test_the_list_is_in_english_when_asked(cli):
    out = cli("--help").stdout
    for group in ("Frameworks", "Units", "Scores and results", "System"):
        assert f"\n{group}:\n" in out, out
    assert all(listed(out, command) for command in OWN)


def test_the_developer_commands_stay_reachable(cli):
    out = cli("help", "--all", language="vi").stdout
    assert all(listed(out, command) for command in OWN)
    for command in ("flush", "dbshell", "makemigrations", "check", "createsuperuser"):
        assert re.search(rf"\b{command}\b", out), out
    check = cli("check")
    assert check.returncode == 0, check.stderr


def test_help_of_one_command_is_vietnamese_and_without_django_options(cli):
    result = cli("help", "results", language="vi")
    assert result.returncode == 0, result.stderr
    assert result.stdout == cli("results", "--help", language="vi").stdout
    out = result.stdout
    assert out.startswith("cách dùng: parindex results")
    assert "tùy chọn:" in out and "hiện trợ giúp này rồi thoát" in out
    assert "Chỉ đơn vị này" in out and "JSON" in out
    for developer in ("--settings", "--pythonpath", "--traceback", "--no-color", "--skip-checks"):
        assert developer not in out, out
    assert "usage:" not in out and "show this help" not in out


def test_actions_of_a_command_are_listed_with_their_help(cli):
    out = cli("framework", "--help", language="vi").stdout
    for action in ("validate", "import", "publish", "export", "list"):
        assert listed(out, action), out
    assert "Kiểm tra tệp bộ tiêu chí YAML hoặc XLSX." in out
    export = cli("framework", "export", "--help", language="vi").stdout
    assert "-o TỆP, --output TỆP" in export and "MÃ" in export, export


def test_a_command_without_its_action_shows_its_help(cli):
    result = cli("framework", language="vi")
    assert result.returncode == 0 and "validate" in result.stdout, result.stderr


def parsers(parser):
    """The parser and every sub-parser (the actions of `framework`, `units`, `scores`)."""
    import argparse

    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from parsers(sub)


@pytest.mark.parametrize("command", OWN)
def test_every_option_has_help_in_both_languages(command):
    import argparse

    from django.core.management import get_commands, load_command_class

    texts = {}
    for language in ("en", "vi"):
        with translation.override(language):
            parser = load_command_class(get_commands()[command], command).create_parser(
                "parindex", command
            )
            texts[language] = {
                (sub.prog, action.dest): action.help
                for sub in parsers(parser)
                for action in sub._actions
                if action.help != argparse.SUPPRESS and action.dest != "help"
            }
            assert parser.description
    assert texts["en"], command
    missing = [key for key, text in texts["en"].items() if not text]
    assert missing == [], missing
    untranslated = [key for key, text in texts["vi"].items() if text == texts["en"][key]]
    assert untranslated == [], untranslated


def one_line_error(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "CommandError" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_argparse_speaks_vietnamese_in_one_line(cli):
    line = one_line_error(cli("results", language="vi"))
    assert line == "lỗi: thiếu tham số bắt buộc: --framework (xem “parindex results --help”)"
    line = one_line_error(cli("results", "--framework", language="vi"))
    assert "--framework: cần một giá trị" in line, line
    line = one_line_error(cli("results", "--framework", "x", "--nope", language="vi"))
    assert "tham số không nhận ra: --nope" in line, line
    line = one_line_error(
        cli("scores", "import", "a.csv", "--framework", "x", "--stage", "tự", language="vi")
    )
    assert "--stage: lựa chọn không hợp lệ: 'tự'" in line and "'appraisal'" in line, line
    line = one_line_error(cli("serve", "--port", "tám", language="vi"))
    assert line.startswith("lỗi: --port: ") and "tám" in line, line
    line = one_line_error(cli("framework", "nope", language="vi"))
    assert "lựa chọn không hợp lệ: 'nope'" in line, line


def test_argparse_errors_in_english(cli):
    line = one_line_error(cli("results"))
    assert line == (
        "error: the following arguments are required: --framework (see “parindex results --help”)"
    )


def test_an_unknown_command_is_one_line_with_a_suggestion(cli):
    line = one_line_error(cli("frameworks", language="vi"))
    assert "“frameworks”" in line and "framework" in line and "parindex help" in line, line


def test_version(cli):
    from parindex import __version__

    result = cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"parindex {__version__}"


def test_output_into_a_closed_pipe_is_no_traceback(cli, tmp_path):
    import subprocess

    from conftest import PARINDEX

    result = subprocess.run(
        f"'{PARINDEX}' help --all | head -1",
        shell=True,
        capture_output=True,
        text=True,
        env=cli.env(),
        cwd=tmp_path,
    )
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_a_file_the_system_refuses_is_one_line_not_a_traceback(capsys):
    """An OSError no check caught first (no permission, a full disk): its file and reason."""
    from parindex.commands import NO_DATABASE, ParindexCommand

    class Command(ParindexCommand):
        help = "x"
        database_use = NO_DATABASE
        requires_system_checks = []

        def handle(self, *args, **options):
            raise PermissionError(13, "Permission denied", "/srv/units.csv")

    with pytest.raises(SystemExit) as stopped:
        Command().run_from_argv(["parindex", "x"])
    assert stopped.value.code == 1
    assert capsys.readouterr().err.strip() == "error: /srv/units.csv: Permission denied"
