"""`parindex plan draft|list|export` and `parindex remind`: the documented JSON, a workbook a
real reader opens with every item, and each refusal in one line."""

import io
import json
import os
import shutil
import subprocess
from datetime import timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from plan_helpers import approved

from parindex.plans.models import RemediationItem

pytestmark = pytest.mark.django_db

# LibreOffice's CSV filter: comma, double quotes, UTF-8 (character set 76).
UTF8_CSV = "csv:Text - txt - csv (StarCalc):44,34,76"


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_draft_then_list_the_plan(plan_demo):
    text = run("plan", "draft", "--framework", "so-2022", "--unit", "SYT", "--by", "nva")
    assert "19 items added, 19 in all (being drafted)" in text
    text = run("plan", "draft", "--framework", "so-2022", "--unit", "SYT")
    assert "0 items added, 19 in all" in text  # idempotent
    text = run("plan", "list")
    assert "SYT" in text and "so-2022" in text and "19" in text
    text = run("plan", "list", "--framework", "so-2022", "--unit", "SYT")
    assert "0 of 19 items done, 0 overdue" in text and "Xây dựng VBQPPL đúng tiến độ" in text


def test_the_json_of_a_plan(plan_demo):
    plan = approved(plan_demo)
    data = json.loads(run("plan", "list", "--unit", "SYT", "--json"))
    (shown,) = data["plans"]
    assert shown["unit"] == "SYT" and shown["framework"] == "so-2022"
    assert shown["state"] == "approved" and shown["approved_by"] == "dave"
    assert (shown["tasks"], shown["tasks_done"], shown["overdue"]) == (19, 0, 0)
    first = shown["items"][0]
    item = plan.items.get(code="2.1")
    assert first == {
        "code": "2.1",
        "title": item.title,
        "area": item.area,
        "lost": 3,
        "cause": item.cause,
        "solution": "Ban hành kế hoạch",
        "responsible": "BVDK",
        "supporting": [],
        "deadline": item.deadline.isoformat(),
        "status": "todo",
        "progress": 0,
        "done_on": None,
        "overdue": False,
        "evidence": [],
        "progress_note": "",
    }
    assert round(sum(i["lost"] for i in shown["items"]), 3) == 18.721


def test_the_exported_workbook_is_read_by_libreoffice(plan_demo, tmp_path):
    approved(plan_demo)
    target = tmp_path / "ke-hoach.xlsx"
    assert "Written" in run(
        "plan", "export", "--framework", "so-2022", "--unit", "SYT", "-o", str(target)
    )
    sheet = openpyxl.load_workbook(target).active
    codes = [row[1] for row in sheet.iter_rows(min_row=6, values_only=True)]
    assert codes == list(
        RemediationItem.objects.order_by("position").values_list("code", flat=True)
    )
    # scripts/test installs LibreOffice (Debian's libreoffice-calc-nogui): never skipped.
    assert shutil.which("soffice"), "LibreOffice is missing: scripts/test installs it"
    subprocess.run(
        [
            *("soffice", "--headless", "--convert-to", UTF8_CSV),
            *("--outdir", str(tmp_path), str(target)),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    lines = (tmp_path / "ke-hoach.csv").read_text(encoding="utf-8").splitlines()
    row = next(line for line in lines if line.startswith("1,2.1,"))
    assert ",3.00," in row and ",BVDK," in row and ",Ban hành kế hoạch," in row
    assert ",31/03/2027," in row  # the deadline, a date cell shown dd/mm/yyyy


@pytest.mark.parametrize(
    "args, message",
    [
        (("export", "--framework", "so-2022", "--unit", "SYT", "-o", "x.xlsx"), "no remediation"),
        (("export", "--framework", "so-2022", "--unit", "SYT", "-o", "x.csv"), "not “x.csv”"),
        (("draft", "--framework", "so-2022", "--unit", "NOPE"), "NOPE"),
        (("draft", "--framework", "so-2099", "--unit", "SYT"), "so-2099"),
        (("draft", "--framework", "so-2021", "--unit", "SYT-VP"), "has no scores"),
    ],
)
def test_refusals_are_one_line(plan_demo, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if args[-1] == "x.csv":
        approved(plan_demo)
    with pytest.raises(CommandError, match=message):
        run("plan", *args)


def test_remind_once_for_cron(plan_demo):
    plan = approved(plan_demo)
    due = plan.items.get(code="2.1").deadline
    data = json.loads(run("remind", "--date", due.strftime("%d/%m/%Y"), "--json"))
    assert data == {"date": due.isoformat(), "items": 19, "sent": 38, "emailed": 0, "failed": 0}
    text = run("remind", "--date", due.isoformat())
    assert "0 reminders about 0 items" in text
    late = due + timedelta(days=1)
    assert json.loads(run("remind", "--date", late.isoformat(), "--json"))["sent"] == 38


def test_the_commands_run_from_the_shell(cli):
    result = cli("remind", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sent"] == 0
    result = cli("plan", "list")
    assert result.returncode == 0 and "No remediation plan." in result.stdout
    result = cli("help")
    assert " plan " in result.stdout and " remind " in result.stdout
