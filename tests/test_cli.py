"""The real console script, run in a subprocess against its own database (SQLite, or
PostgreSQL when the suite runs there)."""

import json
import re

import pytest
from conftest import write
from helpers import make_framework

from parindex.frameworks.fileformats import write_framework_file

pytestmark = pytest.mark.cli

UNITS = "code,name,parent,group\nSYT,Sở Y tế,,so\nSNV,Sở Nội vụ,,so\nSTC,Sở Tài chính,,so\n"
SCORES = 'unit,criterion,points\nSYT,1.1,2\nSNV,1.1,"1,5"\nSTC,1.1,"1,5"\n'


@pytest.fixture
def loaded(cli, tmp_path):
    framework = tmp_path / "t-2024.yaml"
    write_framework_file(make_framework(), framework)
    assert cli("framework", "import", framework, "--publish").returncode == 0
    assert cli("units", "import", write(tmp_path / "units.csv", UNITS)).returncode == 0
    result = cli(
        "scores",
        "import",
        write(tmp_path / "s.csv", SCORES),
        "--framework",
        "t-2024",
        "--by",
        "erin",
    )
    assert result.returncode == 0, result.stderr
    return cli


def test_validate_prints_every_problem_and_fails(cli, tmp_path):
    bad = write(
        tmp_path / "bad.yaml",
        "code: Bad\ntitle: x\nyear: 2024\nnodes:\n"
        "  - {code: '1', title: a}\n  - {code: '1', title: b, max: 1, rule: {type: x}}\n",
    )
    result = cli("framework", "validate", bad)
    assert result.returncode != 0
    assert "code: a framework code is lowercase" in result.stderr
    assert "1: a leaf needs a max" in result.stderr.replace(" › max", "")
    assert "duplicate code" in result.stderr and "unknown rule type" in result.stderr


def test_validate_accepts_a_good_file(cli, library):
    result = cli("framework", "validate", library / "so-2021.yaml")
    assert result.returncode == 0, result.stderr
    assert "is valid" in result.stdout and "100 points" in result.stdout


def test_import_prints_the_code_and_export_round_trips(cli, library, tmp_path):
    result = cli("framework", "import", library / "so-2021.yaml")
    assert result.returncode == 0 and result.stdout.strip() == "so-2021"
    for suffix in (".yaml", ".xlsx"):
        out = tmp_path / f"out{suffix}"
        assert cli("framework", "export", "so-2021", "-o", out).returncode == 0
        again = cli("framework", "import", out)
        assert again.returncode == 0 and "unchanged" in again.stderr
    listing = json.loads(cli("framework", "list", "--json").stdout)
    assert listing == [
        {
            "code": "so-2021",
            "title": listing[0]["title"],
            "year": 2021,
            "previous": None,
            "status": "draft",
            "max": 100.0,
        }
    ]


def test_results_json_and_table(loaded):
    result = loaded("results", "--framework", "t-2024", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["framework"] == "t-2024" and doc["year"] == 2024
    ranks = [(u["unit"], u["rank"], u["tied"], u["total"]) for u in doc["units"]]
    assert ranks == [("SYT", 1, False, 2), ("SNV", 2, True, 1.5), ("STC", 2, True, 1.5)]
    assert "no score yet" in result.stderr  # the unscored criteria are pointed out
    table = loaded("results", "--framework", "t-2024").stdout
    assert "2=/3" in table and "1,5" in table
    detail = loaded("results", "--framework", "t-2024", "--unit", "SNV").stdout
    assert "Sở Nội vụ" in detail and "2=/3" in detail


def test_a_bad_scores_file_is_refused_with_row_and_column(loaded, tmp_path):
    bad = write(tmp_path / "bad.csv", "unit,criterion,points\nSYT,1.1,9\nXYZ,1.1,1\n")
    result = loaded("scores", "import", bad, "--framework", "t-2024")
    assert result.returncode != 0
    assert "row 2, column “points”" in result.stderr
    assert "row 3, column “unit”" in result.stderr
    assert "nothing was imported" in result.stderr


def test_vietnamese_is_the_default_language(loaded, tmp_path):
    bad = write(tmp_path / "bad.csv", "unit,criterion,points\nXYZ,1.1,1\n")
    result = loaded("scores", "import", bad, "--framework", "t-2024", language="vi")
    assert "dòng 2" in result.stderr and "không có đơn vị" in result.stderr
    table = loaded("results", "--framework", "t-2024", language="vi").stdout
    assert "Xếp loại" in table


def test_python_dash_m_works_too(cli):
    result = cli("framework", "list", "--json", module=True)
    assert result.returncode == 0 and json.loads(result.stdout) == []


def test_demo_then_results(cli):
    result = cli("demo")
    assert result.returncode == 0, result.stderr
    doc = json.loads(cli("results", "--framework", "so-2022", "--json").stdout)
    departments = [u for u in doc["units"] if u["group"] == "so-nganh"]
    assert len(departments) == 21
    assert all(u["previous"] is not None for u in departments)
    again = cli("demo")
    assert "0 written" in again.stdout
    # The change against last year reads as on the dashboard: percentage points of the
    # maximum when the maximum changed (98 → 100; area 1: 11,5 → 8), between shown figures.
    text = cli("results", "--framework", "so-2022", "--unit", "SYT", language="vi").stdout
    assert "−3,97 điểm % (−2,254 điểm)" in text
    assert "−6,11 điểm % (−3 điểm)" in text
    assert "+5,56 điểm % (−0,918 điểm)" in text  # the survey's share rose: not a fall


def test_errors_exit_non_zero(cli):
    result = cli("results", "--framework", "nope")
    assert result.returncode != 0 and "does not exist" in result.stderr


def test_the_embedded_database_needs_no_set_up(tmp_path):
    from conftest import Cli

    fresh = Cli(f"sqlite:///{tmp_path / 'new.sqlite3'}", tmp_path)
    result = fresh("units", "import", write(tmp_path / "units.csv", UNITS))  # a write creates it
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "new.sqlite3").exists()
    result = fresh("framework", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_an_outdated_postgresql_schema_is_refused_not_changed(cli, library):
    from conftest import _admin_execute, _server_url

    if not cli.url.startswith("postgres"):
        pytest.skip("PostgreSQL only: the embedded SQLite database migrates itself")
    _admin_execute('CREATE DATABASE "parindex_cli_empty"')
    try:
        cli.url = _server_url("parindex_cli_empty")
        result = cli("framework", "import", library / "so-2021.yaml")  # a write: refused
        assert result.returncode == 1 and "parindex migrate" in result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
        listing = cli("framework", "list")  # a read: says so, changes nothing
        assert listing.returncode == 0 and "parindex migrate" in listing.stderr
        assert cli("info", "--json").returncode == 0
        again = cli("framework", "import", library / "so-2021.yaml")
        assert again.returncode == 1, "the schema was created behind the operator's back"
    finally:
        _admin_execute('DROP DATABASE IF EXISTS "parindex_cli_empty" WITH (FORCE)')


def test_help_speaks_vietnamese_first(cli):
    result = cli("framework", "--help", language="vi")
    assert result.returncode == 0 and "Kiểm tra tệp bộ tiêu chí YAML hoặc XLSX." in result.stdout
    assert "Check a YAML or XLSX framework file." in cli("framework", "--help").stdout


def test_user_errors_are_messages_never_tracebacks(cli, library, tmp_path):
    """Each of these printed a traceback once; now a reason and a non-zero exit code."""
    (tmp_path / "folder.yaml").mkdir()
    write(tmp_path / "deep.yaml", "[" * 100_000)
    write(tmp_path / "long.csv", "code,name\nA," + "x" * 200_000 + "\n")
    assert cli("framework", "import", library / "so-2021.yaml").returncode == 0
    cases = [
        (("framework", "validate", "deep.yaml"), "line 1: nested more than 32 levels deep"),
        (("framework", "import", "folder.yaml"), "folder.yaml is not a file"),
        (
            ("framework", "export", "so-2021", "-o", "/nonexistent/x.xlsx"),
            "error: cannot write /nonexistent/x.xlsx: No such file or directory",
        ),
        (("framework", "publish", "nope"), "error: framework “nope” does not exist"),
        (("units", "import", "missing.csv"), "file not found: missing.csv"),
        (("units", "import", "long.csv"), "row 2: long.csv is not a readable CSV file"),
    ]
    for args, expected in cases:
        result = cli(*args)
        assert result.returncode != 0, args
        assert "Traceback" not in result.stderr, (args, result.stderr)
        assert "CommandError" not in result.stderr, (args, result.stderr)
        assert expected in result.stderr, (args, result.stderr)


def test_an_unquoted_decimal_comma_is_refused_not_read_as_zero(loaded, tmp_path):
    bad = write(tmp_path / "comma.csv", "unit,criterion,points\nSYT,1.1,1\nSNV,1.1,0,5\n")
    result = loaded("scores", "import", bad, "--framework", "t-2024")
    assert result.returncode != 0
    assert "row 3" in result.stderr and "0,5" in result.stderr
    table = json.loads(loaded("results", "--framework", "t-2024", "--json").stdout)
    assert {u["unit"]: u["total"] for u in table["units"]}["SNV"] == 1.5  # nothing changed


# --- issue 7: every user error is one line without a class name, never a traceback ----------


def one_line(result) -> str:
    """The single line a refused command prints to stderr."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr and "CommandError" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_missing_file_is_one_line(loaded):
    cases = [
        (("framework", "validate", "nosuch.yaml"), "lỗi: không tìm thấy tệp: nosuch.yaml"),
        (("framework", "import", "nosuch.xlsx"), "lỗi: không tìm thấy tệp: nosuch.xlsx"),
        (("units", "import", "nosuch.csv"), "lỗi: không tìm thấy tệp: nosuch.csv"),
        (
            ("scores", "import", "nosuch.csv", "--framework", "t-2024"),
            "lỗi: không tìm thấy tệp: nosuch.csv",
        ),
    ]
    for args, expected in cases:
        assert one_line(loaded(*args, language="vi")) == expected, args


def test_a_folder_or_a_file_of_the_wrong_type_is_one_line(loaded, tmp_path):
    for name in ("folder.yaml", "folder.csv"):
        (tmp_path / name).mkdir()
    write(tmp_path / "notes.txt", "hello")
    write(tmp_path / "report.pdf", "%PDF-1.4")
    write(tmp_path / "fake.xlsx", "not a zip")
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 4)
    cases = [
        (("framework", "validate", "folder.yaml"), "folder.yaml is not a file"),
        (("units", "import", "folder.csv"), "folder.csv is not a file"),
        (("scores", "import", "folder.csv", "--framework", "t-2024"), "folder.csv is not a file"),
        (("framework", "validate", "notes.txt"), "a framework file is .yaml, .yml or .xlsx"),
        (("units", "import", "report.pdf"), "only .csv and .xlsx files are read"),
        (("framework", "validate", "fake.xlsx"), "fake.xlsx is not an Excel workbook (.xlsx)"),
        (("units", "import", "fake.xlsx"), "fake.xlsx is not an Excel workbook (.xlsx)"),
        (("units", "import", "binary.csv"), "binary.csv is not UTF-8 text"),
    ]
    for args, expected in cases:
        line = one_line(loaded(*args))
        assert line.startswith("error: ") and expected in line, (args, line)


def test_export_of_an_unknown_framework_names_it_and_lists_what_exists(loaded):
    line = one_line(loaded("framework", "export", "nope", "-o", "x.yaml", language="vi"))
    assert "“nope”" in line and "t-2024" in line, line
    assert ": :" not in line
    line = one_line(loaded("framework", "publish", "nope"))
    assert "“nope”" in line and "t-2024" in line, line
    line = one_line(loaded("scores", "import", "x.csv", "--framework", "nope"))
    assert "“nope”" in line and "t-2024" in line, line


def test_results_of_an_unknown_framework_list_the_frameworks(loaded, cli):
    line = one_line(loaded("results", "--framework", "so-2022"))
    assert "“so-2022”" in line and "t-2024 (published)" in line, line


def test_results_on_a_database_without_frameworks_say_what_to_run(cli):
    line = one_line(cli("results", "--framework", "so-2022"))
    assert "no framework" in line and "parindex demo" in line, line
    where = json.loads(cli("info", "--json").stdout)["database"]["location"]
    assert where in line  # where it looked


def test_several_problems_are_listed_then_one_summary(loaded, tmp_path):
    bad = write(tmp_path / "bad.csv", "unit,criterion,points\nSYT,1.1,9\nXYZ,1.1,1\n")
    result = loaded("scores", "import", bad, "--framework", "t-2024")
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0 and "CommandError" not in result.stderr
    assert lines[-1] == "error: nothing was imported: 2 problem(s)", lines
    assert lines[0].startswith("row 2, column “points”") and lines[1].startswith("row 3"), lines


def test_row_problems_are_listed_in_row_order(cli, tmp_path):
    """The parent of row 2 is checked after every row's code: still listed first."""
    bad = write(
        tmp_path / "units.csv",
        "code,name,parent,group\nA,Đơn vị A,NOPE,\n,Không mã,,\nB b,Mã sai,,\nC,,,\n",
    )
    result = cli("units", "import", bad)
    rows = [int(n) for n in re.findall(r"^row (\d+)", result.stderr, re.M)]
    assert rows == [2, 3, 4, 5], result.stderr


def test_results_of_an_unknown_unit_say_there_is_no_such_unit(loaded):
    result = loaded("results", "--framework", "t-2024", "--unit", "NOPE", language="vi")
    assert result.returncode != 0 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "không có đơn vị “NOPE”" in lines[0], result.stderr
    assert "chưa có điểm" not in result.stderr
    # A unit that exists but has no scores still says so.
    loaded("units", "import", write(loaded.workdir / "more.csv", "code,name\nSXD,Sở Xây dựng\n"))
    result = loaded("results", "--framework", "t-2024", "--unit", "SXD", language="vi")
    assert result.returncode != 0 and "chưa có điểm" in result.stderr, result.stderr
