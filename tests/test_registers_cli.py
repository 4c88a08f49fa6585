"""`parindex registers import|imports` at a terminal: summary line, --json, refusals (exit 1,
every problem listed), --skip-invalid with its rejected file, the list of imports."""

from __future__ import annotations

import json

from conftest import write

HEADER = "Mã hồ sơ;Mã TTHC;Kênh;Ngày tiếp nhận;Ngày hẹn trả;Trạng thái;Cơ quan giải quyết"
GOOD = [
    "H-1;1.000948.H38;trực tuyến;02/01/2025 08:30;10/01/2025;đã trả kết quả;A",
    "H-2;2.000908;1;20250103090000;;processing;A",
]


def test_import_twice_then_list(cli, tmp_path):
    units = write(tmp_path / "units.csv", "code,name\nA,Bệnh viện A\n")
    assert cli("units", "import", units).returncode == 0
    register = write(tmp_path / "so.csv", "\n".join([HEADER, *GOOD]) + "\n")
    first = cli("registers", "import", "dossiers", register)
    assert first.returncode == 0, first.stderr
    assert "2 row(s) read; 2 new, 0 changed, 0 unchanged, 0 rejected" in first.stdout
    again = cli("registers", "import", "dossiers", register, "--json")
    assert again.returncode == 0, again.stderr
    data = json.loads(again.stdout)
    # The data-quality findings are the file's, on every import of it (nothing was fixed).
    assert {f["code"] for f in data.pop("quality")} == {
        "resolved_without_end",
        "returned_without_date",
    }
    assert data == {
        "kind": "dossiers",
        "file": str(register),
        "rows": 2,
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "rejected": 0,
        "rejected_file": None,
        "problems": [],
    }
    listing = cli("registers", "imports", "--json")
    assert listing.returncode == 0, listing.stderr
    imports = json.loads(listing.stdout)
    assert [(i["created"], i["unchanged"], i["state"]) for i in imports] == [
        (0, 2, "done"),
        (2, 0, "done"),
    ]
    assert imports[0]["file"] == "so.csv" and len(imports[0]["sha256"]) == 64
    table = cli("registers", "imports")
    assert "so.csv" in table.stdout


def test_refused_file_and_skip_invalid(cli, tmp_path):
    units = write(tmp_path / "units.csv", "code,name\nA,Bệnh viện A\n")
    assert cli("units", "import", units).returncode == 0
    bad = [GOOD[0], GOOD[1].replace("20250103090000", "2025-02-30")]
    register = write(tmp_path / "bad.csv", "\n".join([HEADER, *bad]) + "\n")
    refused = cli("registers", "import", "dossiers", register)
    assert refused.returncode == 1
    assert "row 3" in refused.stderr and "ngay_tiep_nhan" in refused.stderr
    assert "2025-02-30" in refused.stderr and "nothing was imported" in refused.stderr
    as_json = cli("registers", "import", "dossiers", register, "--json")
    assert as_json.returncode == 1
    problems = json.loads(as_json.stdout)["problems"]
    assert [(p["row"], p["column"], p["value"]) for p in problems] == [
        (3, "ngay_tiep_nhan", "2025-02-30")
    ]
    rejected = tmp_path / "out.csv"
    skipped = cli(
        "registers", "import", "dossiers", register, "--skip-invalid", "--rejected", rejected
    )
    assert skipped.returncode == 0, skipped.stderr
    assert "1 row(s) rejected" in skipped.stderr
    assert rejected.read_text(encoding="utf-8-sig").splitlines()[1].startswith("3,H-2,")
    missing = cli("registers", "import", "dossiers", tmp_path / "none.csv")
    assert missing.returncode == 1 and "not found" in missing.stderr
