"""`parindex calendar`: due dates and days off without a database, overrides imported all or
nothing and idempotently."""

import json
from datetime import date

import pytest
from conftest import write
from django.core.management import call_command
from django.core.management.base import CommandError
from test_cli_data import DefaultCli

from parindex.registers.calendar import import_overrides, working_calendar
from parindex.registers.models import CalendarOverride
from parindex.tables import TableError

OVERRIDES = (
    "ngày,loại,căn cứ,ghi chú\n"
    "05/01/2026,nghỉ,QĐ 12/QĐ-UBND tỉnh,ngày thành lập tỉnh\n"
    "10/01/2026,làm bù,QĐ 12/QĐ-UBND tỉnh,\n"
)


def test_due_and_days_need_no_database(tmp_path):
    home = tmp_path / "home"
    fresh = DefaultCli(tmp_path, HOME=str(home))
    result = fresh("calendar", "due", "23/01/2025", "5", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["due"] == "2025-02-06" and data["n"] == 5
    assert [d["date"] for d in data["days_off"]][:2] == ["2025-01-27", "2025-01-28"]
    text = fresh("calendar", "days", "--year", "2026", language="vi")
    assert text.returncode == 0 and "Giao thừa Tết Nguyên Đán" in text.stdout
    assert "16/02/2026" in text.stdout
    bad = fresh("calendar", "due", "32/01/2025", "5", language="vi")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert not (home / ".local/share/parindex").exists(), "a read command created the data"


def test_overrides_import_is_idempotent_and_counts(db, tmp_path):
    path = write(tmp_path / "o.csv", OVERRIDES)
    report = import_overrides(path)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    again = import_overrides(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    calendar = working_calendar()
    assert not calendar.is_working_day(date(2026, 1, 5))
    changed = write(tmp_path / "c.csv", OVERRIDES.replace("ngày thành lập tỉnh", "kỷ niệm"))
    assert import_overrides(changed).updated == 1
    assert working_calendar().day_off(date(2026, 1, 5)) == "kỷ niệm"


def test_a_bad_row_refuses_the_whole_file(db, tmp_path):
    path = write(
        tmp_path / "b.csv",
        "ngày,loại,căn cứ\n05/01/2026,nghỉ,QĐ 1\n31/02/2026,xx,\n05/01/2026,nghỉ,QĐ 2\n",
    )
    with pytest.raises(TableError) as refused:
        import_overrides(path)
    found = {(p.row, p.column) for p in refused.value.problems}
    assert {(3, "date"), (3, "kind"), (3, "legal_basis"), (4, "date")} <= found
    assert not CalendarOverride.objects.exists()


def test_the_command(db, tmp_path, capsys):
    call_command("calendar", "overrides", "import", str(write(tmp_path / "o.csv", OVERRIDES)))
    assert "2" in capsys.readouterr().out
    call_command("calendar", "overrides", "list", "--json")
    listed = json.loads(capsys.readouterr().out)
    assert [row["kind"] for row in listed] == ["holiday", "swapped_workday"]
    call_command("calendar", "due", "02/01/2026", "2", "--json")
    assert json.loads(capsys.readouterr().out)["due"] == "2026-01-07"
    with pytest.raises(CommandError):
        call_command("calendar", "overrides", "import", str(tmp_path / "missing.csv"))
