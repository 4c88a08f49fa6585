"""SQL queries per page and per write path, against baselines kept in this one file
(NetBox's style). A change that needs more queries raises its baseline here, with the reason
in the review; the counts do not grow with the size of the framework (see test_web)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from helpers import act, assessment

from parindex.assessments.access import access_for
from parindex.assessments.criteria import set_note, set_points

# name → the most queries it may take. A saved score is what people do all day: ≤ 10.
BASELINES = {
    "page: home": 10,  # + the remediation items of the person's units, and their reminders
    "page: grid": 9,
    "page: criterion": 10,
    "page: dashboard, cold": 10,
    "page: dashboard, warm": 9,
    "page: round overview": 9,
    "page: sheet download": 6,  # + the explanations the sheet shows
    "page: open a round": 8,
    "page: evidence file": 5,
    "write: points (HTMX row)": 10,
    "write: points, appraiser lowering with a reason": 10,
    "write: input figure": 8,
    "write: explanation": 7,
    "write: bonus by the officer": 8,
    "write: sheet upload": 16,  # + the stored explanations, read once to compare
    "write: workflow action": 14,
    "write: scores import (system, 3 rows)": 7,
    "write: evidence upload": 9,
    "write: evidence reused for another criterion": 8,
    "write: evidence review": 8,
    "write: deadline extension": 8,
    "write: reopen": 9,
    "write: publish a round": 11,
}


@pytest.fixture
def province(people, round_):
    """The personas' round with a few entries and the unit A submitted, in appraisal."""
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", Decimal(2), expected_version=None)
    set_note(access_for(people["alice"], a), "1.1", "Đã ban hành", expected_version=None)
    return round_


def _measure(callable_) -> int:
    """Queries sent, without the savepoints that exist only because each test runs inside a
    transaction (in production the outermost atomic block sends none)."""
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return sum(
        1
        for query in captured.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    )


def _pages(round_):
    """page → (who looks at it, its address)."""
    a = assessment(round_, "A")
    return {
        "page: home": ("alice", reverse("web:home")),
        "page: grid": ("alice", reverse("web:grid", args=[a.pk])),
        "page: criterion": ("alice", reverse("web:criterion", args=[a.pk, "1.1"])),
        "page: round overview": ("erin", reverse("web:round", args=[round_.pk])),
        "page: sheet download": ("alice", reverse("web:sheet", args=[a.pk])),
        "page: open a round": ("erin", reverse("web:round_create")),
    }


@pytest.mark.parametrize(
    "name",
    [
        "page: home",
        "page: grid",
        "page: criterion",
        "page: round overview",
        "page: sheet download",
        "page: open a round",
    ],
)
def test_pages_stay_within_their_baselines(client, people, province, name):
    who, url = _pages(province)[name]
    client.force_login(people[who])
    _ok(client.get(url))  # the second view is the one people wait for every day
    count = _measure(lambda: _ok(client.get(url)))
    assert count <= BASELINES[name], f"{name}: {count} queries"


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response


def test_the_dashboard_cold_and_warm(client, people, province):
    from parindex.assessments.results import clear_cache

    client.force_login(people["dave"])
    url = reverse("web:dashboard", args=["t-2024", "A"])
    _ok(client.get(url))
    clear_cache()
    cold = _measure(lambda: _ok(client.get(url)))
    warm = _measure(lambda: _ok(client.get(url)))
    assert cold <= BASELINES["page: dashboard, cold"], cold
    assert warm <= BASELINES["page: dashboard, warm"], warm


def test_a_saved_score_takes_at_most_ten_queries(client, people, province):
    a = assessment(province, "A")
    client.force_login(people["alice"])
    url = reverse("web:points", args=[a.pk, "1.1"])
    client.get(reverse("web:grid", args=[a.pk]))
    count = _measure(
        lambda: _ok(client.post(url, {"points": "1.5", "version": "1"}, HTTP_HX_REQUEST="true"))
    )
    assert count <= BASELINES["write: points (HTMX row)"] <= 10, count
    assert a.unit.entries.get(key="1.1").points == Decimal("1.5")


def _filled_sheet(client, a) -> bytes:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(reverse("web:sheet", args=[a.pk])).content))
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "1.1":
            row[5].value = 1.75
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_writes_stay_within_their_baselines(client, people, province, tmp_path):
    from parindex.assessments.services import import_score_rows
    from parindex.tables import Row

    a = assessment(province, "A")
    client.force_login(people["alice"])
    client.get(reverse("web:grid", args=[a.pk]))
    counts = {
        "write: input figure": _measure(
            lambda: client.post(
                reverse("web:value", args=[a.pk, "dossiers.received"]), {"value": "100"}
            )
        ),
        "write: explanation": _measure(
            lambda: client.post(
                reverse("web:note", args=[a.pk, "1.1"]), {"text": "Bổ sung", "version": "1"}
            )
        ),
    }
    counts["write: sheet upload"] = _measure(
        lambda: client.post(
            reverse("web:sheet", args=[a.pk]),
            {"sheet": SimpleUploadedFile("a.xlsx", _filled_sheet(client, a))},
        )
    )
    assert a.unit.entries.get(key="1.1", stage="self").source == "upload"
    counts["write: workflow action"] = _measure(
        lambda: client.post(
            reverse("web:action", args=[a.pk]),
            {"action": "submit", "version": a.version, "confirm": 1},
        )
    )
    client.force_login(people["erin"])
    counts["write: bonus by the officer"] = _measure(
        lambda: client.post(reverse("web:points", args=[a.pk, "BONUS"]), {"points": "1"})
    )
    act(people["carol"], province, "A", "start_appraisal")
    client.force_login(people["carol"])
    client.get(reverse("web:grid", args=[a.pk]))
    counts["write: points, appraiser lowering with a reason"] = _measure(
        lambda: client.post(
            reverse("web:points", args=[a.pk, "1.1"]),
            {"points": "1", "version": "", "reason": "Thiếu quyết định"},
            HTTP_HX_REQUEST="true",
        )
    )
    rows = [
        Row(2, {"unit": "B", "criterion": "1.1", "points": "1"}),
        Row(3, {"unit": "B", "criterion": "2.2", "points": "2"}),
        Row(4, {"unit": "B", "criterion": "BONUS", "points": "1"}),
    ]
    counts["write: scores import (system, 3 rows)"] = _measure(
        lambda: import_score_rows(rows, "t-2024", "final", actor="operator", reason="file")
    )
    over = {name: n for name, n in counts.items() if n > BASELINES[name]}
    assert not over, (over, counts)
    assert a.unit.entries.get(key="1.1", stage="appraisal").points == 1


def test_evidence_and_officer_writes_stay_within_their_baselines(
    client, people, province, settings, tmp_path
):
    from parindex.assessments.models import Evidence, EvidenceLink

    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    a = assessment(province, "A")
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    client.force_login(people["alice"])
    client.get(reverse("web:grid", args=[a.pk]))
    counts = {
        "write: evidence upload": _measure(
            lambda: client.post(
                reverse("web:upload", args=[a.pk, "1.1"]),
                {"file": SimpleUploadedFile("kh.pdf", pdf), "title": "Kế hoạch CCHC"},
            )
        )
    }
    evidence = Evidence.objects.get()
    counts["write: evidence reused for another criterion"] = _measure(
        lambda: client.post(reverse("web:link", args=[a.pk, "2.2"]), {"evidence": evidence.pk})
    )
    counts["page: evidence file"] = _measure(
        lambda: _ok(client.get(reverse("web:evidence", args=[evidence.pk])))
    )
    client.post(
        reverse("web:action", args=[a.pk]), {"action": "submit", "version": a.version, "confirm": 1}
    )
    act(people["carol"], province, "A", "start_appraisal")
    client.force_login(people["carol"])
    client.get(reverse("web:grid", args=[a.pk]))
    link = EvidenceLink.objects.filter(code="1.1").get()
    counts["write: evidence review"] = _measure(
        lambda: client.post(
            reverse("web:review", args=[a.pk, link.pk]), {"review": "accepted", "reason": ""}
        )
    )
    client.force_login(people["erin"])
    client.get(reverse("web:grid", args=[a.pk]))
    counts["write: deadline extension"] = _measure(
        lambda: client.post(
            reverse("web:extend", args=[a.pk]),
            {"window": "appraisal", "until": "2031-01-31", "reason": "Thẩm định viên ốm"},
        )
    )
    a.refresh_from_db()
    counts["write: reopen"] = _measure(
        lambda: client.post(
            reverse("web:action", args=[a.pk]),
            {
                "action": "reopen",
                "target": "submitted",
                "version": a.version,
                "note": "Sai sót",
                "confirm": 1,
            },
        )
    )
    act(people["carol"], province, "A", "start_appraisal")
    act(people["carol"], province, "A", "finalize")
    counts["write: publish a round"] = _measure(
        lambda: client.post(reverse("web:round_publish", args=[province.pk]), {"confirm": 1})
    )
    assert assessment(province, "A").state == "published"
    assert EvidenceLink.objects.get(code="1.1").review == "accepted"
    over = {name: n for name, n in counts.items() if n > BASELINES[name]}
    assert not over, (over, counts)
