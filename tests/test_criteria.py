"""Points, explanations, comments and evidence on one criterion: who may, when, conflicts,
audit. Personas as in test_workflow_actions: alice (staff of A), bob (staff of B), carol
(appraiser of A), dave (leader), erin (officer)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from helpers import act, assessment
from openpyxl import Workbook

from parindex.assessments.access import access_for
from parindex.assessments.actions import ActionRefused, Conflict
from parindex.assessments.criteria import (
    EvidenceInfo,
    review_evidence,
    set_note,
    set_points,
    unlink_evidence,
    unsupported_criteria,
    upload_evidence,
)
from parindex.assessments.models import AuditEntry, Evidence, EvidenceLink, ScoreEntry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def xlsx_bytes():
    book, buffer = Workbook(), io.BytesIO()
    book.active["A1"] = "Báo cáo"
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


def upload(people, round_, name="kh.pdf", data=PDF, codes=("1.1",), who="alice"):
    return upload_evidence(
        access_for(people[who], assessment(round_, "A")),
        SimpleUploadedFile(name, data),
        EvidenceInfo("Kế hoạch CCHC năm 2024", "12/KH-SYT", date(2024, 1, 5), "Sở Y tế"),
        list(codes),
    )


def test_alice_scores_her_unit_and_it_is_audited(people, round_):
    entry = set_points(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        Decimal("1.75"),
        expected_version=None,
        reason="tự chấm",
    )
    assert (entry.stage, entry.points, entry.version) == ("self", Decimal("1.75"), 1)
    set_points(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        Decimal("1.5"),
        expected_version=1,
    )
    audit = list(AuditEntry.objects.filter(key="1.1").values_list("old", "new", "user__username"))
    assert audit == [(Decimal("1.75"), Decimal("1.5"), "alice"), (None, Decimal("1.75"), "alice")]


def test_points_follow_the_rule(people, round_):
    with pytest.raises(ActionRefused, match="multiple of the step"):
        set_points(
            access_for(people["alice"], assessment(round_, "A")),
            "1.1",
            Decimal("1.3"),
            expected_version=None,
        )
    with pytest.raises(ActionRefused, match="not a criterion"):
        set_points(
            access_for(people["alice"], assessment(round_, "A")),
            "1",
            Decimal(1),
            expected_version=None,
        )


def test_two_people_saving_the_same_criterion_do_not_overwrite_each_other(people, round_):
    set_points(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        Decimal(1),
        expected_version=None,
    )
    with pytest.raises(Conflict, match=r"1\.1 was changed by alice at .* \(now: 1\)"):
        set_points(
            access_for(people["alice"], assessment(round_, "A")),
            "1.1",
            Decimal(2),
            expected_version=None,
        )
    assert ScoreEntry.objects.get(key="1.1").points == 1


def test_bob_and_carol_cannot_touch_alices_draft(people, round_):
    with pytest.raises(ActionRefused):
        set_points(
            access_for(people["bob"], assessment(round_, "A")),
            "1.1",
            Decimal(1),
            expected_version=None,
        )
    with pytest.raises(ActionRefused, match="being drafted"):
        set_points(
            access_for(people["carol"], assessment(round_, "A")),
            "1.1",
            Decimal(1),
            expected_version=None,
        )


def test_carol_appraises_in_round_one_with_a_comment(people, round_):
    set_points(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        Decimal(2),
        expected_version=None,
    )
    set_note(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        "Chưa ban hành kịp thời",
        expected_version=None,
    )
    act(people["alice"], round_, "A", "submit")
    with pytest.raises(ActionRefused):
        set_points(
            access_for(people["alice"], assessment(round_, "A")),
            "1.1",
            Decimal(1),
            expected_version=1,
        )
    act(people["carol"], round_, "A", "start_appraisal")
    # Lowering the unit's 2 points needs a reason; nothing is stored without one.
    with pytest.raises(ActionRefused, match=r"1\.1 goes down from 2 to 0,5: give the reason"):
        set_points(
            access_for(people["carol"], assessment(round_, "A")),
            "1.1",
            Decimal("0.5"),
            expected_version=None,
        )
    assert not ScoreEntry.objects.filter(stage="appraisal").exists()
    entry = set_points(
        access_for(people["carol"], assessment(round_, "A")),
        "1.1",
        Decimal("0.5"),
        reason="Kế hoạch ban hành muộn",
        expected_version=None,
    )
    note = set_note(
        access_for(people["carol"], assessment(round_, "A")),
        "1.1",
        "Thiếu kế hoạch",
        expected_version=None,
    )
    assert entry.stage == "appraisal" and note.kind == "comment"
    assert ScoreEntry.objects.get(key="1.1", stage="self").points == 2  # self score untouched


def test_survey_bonus_and_penalty_are_the_officers(people, round_):
    with pytest.raises(ActionRefused, match="only the CCHC officer"):
        set_points(
            access_for(people["alice"], assessment(round_, "A")),
            "XHH",
            Decimal(8),
            expected_version=None,
        )
    assert (
        set_points(
            access_for(people["erin"], assessment(round_, "A")),
            "XHH",
            Decimal(8),
            expected_version=None,
        ).stage
        == "final"
    )
    with pytest.raises(ActionRefused, match="above the cap of 5 for BONUS"):
        set_points(
            access_for(people["erin"], assessment(round_, "A")),
            "BONUS",
            Decimal(6),
            expected_version=None,
        )


def test_evidence_is_stored_once_under_a_random_name_and_hashed(people, round_, evidence_dir):
    first = upload(people, round_)
    again = upload(people, round_, name="copy.pdf", codes=("1.2",))
    assert again.pk == first.pk  # not uploaded twice
    assert sorted(first.links.values_list("code", flat=True)) == ["1.1", "1.2"]
    assert first.sha256 == __import__("hashlib").sha256(PDF).hexdigest()
    stored = evidence_dir / first.file.name
    assert stored.read_bytes() == PDF and "kh" not in first.file.name
    assert first.content_type == "application/pdf" and first.number == "12/KH-SYT"


def test_evidence_types_are_sniffed_not_taken_from_the_name(people, round_):
    upload(people, round_, name="bang.xlsx", data=xlsx_bytes())
    with pytest.raises(ActionRefused, match="not a PDF"):
        upload(people, round_, name="virus.pdf", data=b"MZ\x90\x00 pretending")
    assert Evidence.objects.count() == 1


def test_oversized_files_are_refused_clearly(people, round_, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    with pytest.raises(ActionRefused, match="files are limited to 1 MB"):
        upload(people, round_, data=PDF + b"0" * (2 * 1024 * 1024))


def test_only_the_unit_uploads_and_only_appraisers_review(people, round_):
    with pytest.raises(ActionRefused):
        upload(people, round_, who="bob")
    evidence = upload(people, round_)
    link = evidence.links.get()
    with pytest.raises(ActionRefused, match="appraisers review"):
        review_evidence(access_for(people["alice"], link.evidence.assessment), link, "accepted")
    set_points(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        Decimal(2),
        expected_version=None,
    )
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    with pytest.raises(ActionRefused, match="say why"):
        review_evidence(access_for(people["carol"], link.evidence.assessment), link, "insufficient")
    review_evidence(
        access_for(people["carol"], link.evidence.assessment), link, "insufficient", "Thiếu chữ ký"
    )
    link.refresh_from_db()
    assert (link.review, link.reviewed_by.username) == ("insufficient", "carol")
    assert AuditEntry.objects.filter(field="review", reason="Thiếu chữ ký").exists()


def test_a_criterion_scored_without_support_blocks_the_submission(people, round_):
    set_points(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        Decimal(2),
        expected_version=None,
    )
    set_points(  # 2.2 is computed from a figure: typing its points is an explained override
        access_for(people["alice"], assessment(round_, "A")),
        "2.2",
        Decimal(0),
        expected_version=None,
        reason="Hai báo cáo nộp trễ, chưa nhập số liệu",
    )
    assert unsupported_criteria(assessment(round_, "A")) == ["1.1"]
    with pytest.raises(ActionRefused, match=r"evidence or write an explanation for 1\.1"):
        act(people["alice"], round_, "A", "submit")
    evidence = upload(people, round_)
    unlink_evidence(access_for(people["alice"], evidence.assessment), evidence.links.get())
    assert unsupported_criteria(assessment(round_, "A")) == ["1.1"]
    set_note(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        "Đã ban hành, chờ số hóa",
        expected_version=None,
    )
    act(people["alice"], round_, "A", "submit")


def test_the_answer_round_takes_answers_and_more_evidence(people, round_):
    set_points(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        Decimal(2),
        expected_version=None,
    )
    upload(people, round_)
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    act(people["carol"], round_, "A", "request_explanation")
    note = set_note(
        access_for(people["alice"], assessment(round_, "A")),
        "1.1",
        "Bổ sung quyết định",
        expected_version=None,
    )
    assert note.kind == "answer"
    upload(people, round_, name="qd.xlsx", data=xlsx_bytes())
    with pytest.raises(ActionRefused, match=r"at this step \(explanation requested\)"):
        set_points(
            access_for(people["alice"], assessment(round_, "A")),
            "1.1",
            Decimal(1),
            expected_version=1,
        )
    assert EvidenceLink.objects.filter(code="1.1").count() == 2


def test_alice_enters_the_figures_a_criterion_is_computed_from(people, round_, client):
    from django.urls import reverse

    from parindex.assessments.criteria import set_value
    from parindex.assessments.queries import grid

    a = assessment(round_, "A")
    set_value(access_for(people["alice"], a), "dossiers.received", "3.105", expected_version=None)
    set_value(access_for(people["alice"], a), "dossiers.postal", "311", expected_version=None)
    rows = {row.node.code: row for row in grid(access_for(people["alice"], a)).rows}
    assert rows["1.2"].score.score == 1  # 311 of 3.105 ≥ 10 %: the postal point
    assert [cell.name for cell in rows["1.2"].inputs] == ["dossiers.postal", "dossiers.received"]
    with pytest.raises(ActionRefused, match="whole number"):
        set_value(access_for(people["alice"], a), "dossiers.postal", "1,5", expected_version=1)
    with pytest.raises(Conflict):
        set_value(access_for(people["alice"], a), "dossiers.postal", "0", expected_version=None)
    with pytest.raises(ActionRefused):
        set_value(access_for(people["bob"], a), "dossiers.postal", "0", expected_version=1)
    client.force_login(people["alice"])
    client.post(
        reverse("web:value", args=[a.pk, "dossiers.postal"]),
        {"value": "0", "version": "1", "code": "1.2"},
    )
    rows = {row.node.code: row for row in grid(access_for(people["alice"], a)).rows}
    assert rows["1.2"].score.score == 0
    assert AuditEntry.objects.filter(key="dossiers.postal", field="value").count() == 2
