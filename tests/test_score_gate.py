"""The one gate for score writes: every writer × role × state × kind of key, published
results that never move, staleness, provenance and the appraisal's reasons.

The expectations below are written out by hand from the rules people work by (who enters
what, when), not read from `workflow.WRITABLE`: the table is what is being tested."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from helpers import act, assessment, publish, round_dates

from parindex.assessments.access import access_for
from parindex.assessments.actions import ActionRefused, open_round
from parindex.assessments.criteria import set_points, set_value
from parindex.assessments.models import AuditEntry, ImportBatch, ScoreEntry, UnitAssessment
from parindex.assessments.services import import_score_rows
from parindex.assessments.sheets import import_grid_sheet
from parindex.tables import Row, TableError

STATES = ("draft", "submitted", "appraisal1", "explanation", "appraisal2", "final", "published")
# kind of key → (key, column, raw figure)
KEYS = {
    "criterion": ("1.1", "points", "1"),
    "input": ("dossiers.received", "value", "100"),
    "survey": ("XHH", "points", "5"),
    "adjustment": ("BONUS", "points", "1"),
}


def expected_stage(person: str, state: str, kind: str) -> str | None:
    """Who may enter what, by the rules of the cycle (alice: staff of A; carol: A's
    appraiser; erin: the CCHC officer; dave: the leader; bob: staff of another unit)."""
    if state == "published":
        return None
    if person == "alice" and state == "draft" and kind in ("criterion", "input"):
        return "self"
    if person == "carol" and kind in ("criterion", "input"):
        return {"appraisal1": "appraisal", "appraisal2": "appraisal2"}.get(state)
    if person == "erin" and kind in ("survey", "adjustment"):
        return "final"
    return None


def _put_in(round_, state: str):
    a = assessment(round_, "A")
    UnitAssessment.objects.filter(pk=a.pk).update(state=state)
    return assessment(round_, "A")


def _typed(person, a, kind):
    key, column, raw = KEYS[kind]
    access = access_for(person, a)
    if column == "value":
        return set_value(access, key, raw, expected_version=None)
    return set_points(access, key, raw, expected_version=None)


def _uploaded(person, a, kind):
    key, column, raw = KEYS[kind]
    csv = f"unit,criterion,{column}\nA,{key},{raw}\n".encode()
    upload = SimpleUploadedFile("diem.csv", csv)
    return import_grid_sheet(access_for(person, a), upload, overwrite=True)


@pytest.mark.parametrize("writer", [_typed, _uploaded], ids=["typed", "sheet upload"])
@pytest.mark.parametrize("name", ["alice", "bob", "carol", "dave", "erin"])
def test_every_writer_role_state_and_kind_goes_through_the_one_table(people, round_, writer, name):
    person = people[name]
    refused_but_stored = []
    for state in STATES:
        a = _put_in(round_, state)
        for kind in KEYS:
            ScoreEntry.objects.all().delete()
            stage = expected_stage(name, state, kind)
            if writer is _uploaded and expected_stage(name, state, "criterion") is None:
                stage = None  # the sheet is the grid's editable column: no column, no upload
            try:
                with transaction.atomic():
                    writer(person, a, kind)
            except (ActionRefused, TableError):
                if stage is not None:
                    pytest.fail(f"{name} refused {kind} in {state}; expected stage {stage}")
                if ScoreEntry.objects.exists():
                    refused_but_stored.append((state, kind))
                continue
            if stage is None:
                pytest.fail(f"{name} wrote {kind} in {state}")
            entry = ScoreEntry.objects.get(key=KEYS[kind][0])
            assert entry.stage == stage, (state, kind, entry.stage)
    assert refused_but_stored == []


def test_the_operators_import_writes_any_stage_until_published_and_never_after(people, round_):
    def load(stage, key="1.1", points="1"):
        rows = [Row(2, {"unit": "A", "criterion": key, "points": points})]
        return import_score_rows(rows, "t-2024", stage, actor="Nguyễn Văn A", reason="tệp")

    for state in STATES[:-1]:
        _put_in(round_, state)
        ScoreEntry.objects.all().delete()
        for stage in ("self", "appraisal", "appraisal2", "final"):
            load(stage)
        with pytest.raises(TableError, match="not self-scored"):
            load("self", "XHH", "5")
    _put_in(round_, "published")
    before = list(ScoreEntry.objects.values_list("stage", "key", "points"))
    for stage in ("self", "appraisal", "final"):
        with pytest.raises(TableError, match="A are published and can no longer change"):
            load(stage, "1.1", "2")
        with pytest.raises(TableError, match="published"):
            load(stage, "BONUS", "5")
    assert list(ScoreEntry.objects.values_list("stage", "key", "points")) == before


# --- the findings of the review, one by one ---------------------------------------------------


def test_staff_uploading_a_bonus_row_get_nothing(people, round_):
    a = assessment(round_, "A")
    upload = SimpleUploadedFile("a.csv", b"unit,criterion,points\nA,1.1,1\nA,BONUS,5\n")
    with pytest.raises(TableError) as refused:
        import_grid_sheet(access_for(people["alice"], a), upload)
    assert [(p.row, p.column) for p in refused.value.problems] == [(3, "criterion")]
    assert "only the CCHC officer" in str(refused.value)
    assert not ScoreEntry.objects.exists()  # the good row is not half-written either


def test_an_appraiser_uploading_survey_bonus_and_penalty_gets_nothing(people, round_):
    a = _put_in(round_, "appraisal1")
    csv = b"unit,criterion,points\nA,BONUS,5\nA,XHH,9\nA,PENALTY,2\nA,1.1,1\n"
    with pytest.raises(TableError) as refused:
        import_grid_sheet(access_for(people["carol"], a), SimpleUploadedFile("c.csv", csv))
    assert [p.row for p in refused.value.problems] == [2, 3, 4]
    assert not ScoreEntry.objects.exists()


def test_a_second_round_cannot_take_a_published_unit(people, syt, round_):
    publish(people, round_)
    with pytest.raises(ActionRefused) as refused:
        open_round(
            people["erin"],
            framework=round_.framework,
            owner=syt["SYT"],
            title="Vòng hai",
            dates=round_dates(),
            units=[syt["A"]],
        )
    assert "A is already assessed on “Bộ chỉ số thử” (2024) in the round “CCHC 2024”" in str(
        refused.value
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitAssessment.objects.create(round=round_, framework=round_.framework, unit=syt["A"])


def test_results_recorded_outside_a_round_are_not_taken_over(people, syt, round_):
    from parindex.units.models import Unit

    other = Unit.objects.create(code="C", name="Trung tâm C", parent=syt["SYT"])
    rows = [Row(2, {"unit": "C", "criterion": "1.1", "points": "2"})]
    import_score_rows(rows, "t-2024", "final", actor="operator", reason="QĐ 123/QĐ-UBND")
    with pytest.raises(ActionRefused, match=r"C already has results of “Bộ chỉ số thử” \(2024\)"):
        open_round(
            people["erin"],
            framework=round_.framework,
            owner=syt["SYT"],
            title="Vòng hai",
            dates=round_dates(),
            units=[other],
        )


def test_a_published_assessment_refuses_every_path(client, people, round_):
    a = _put_in(round_, "published")
    for name in ("alice", "carol", "erin"):
        with pytest.raises(ActionRefused, match="published"):
            set_points(access_for(people[name], a), "1.1", "1", expected_version=None)
        with pytest.raises(ActionRefused, match="published"):
            set_points(access_for(people[name], a), "BONUS", "1", expected_version=None)
    client.force_login(people["erin"])
    client.post(reverse("web:points", args=[a.pk, "BONUS"]), {"points": "5"})
    assert not ScoreEntry.objects.exists()


def test_a_vietnamese_decimal_comma_in_a_csv_is_an_error_not_a_zero(people, round_):
    a = assessment(round_, "A")
    upload = SimpleUploadedFile("a.csv", b"unit,criterion,points\nA,1.1,0,5\n")
    with pytest.raises(TableError) as refused:
        import_grid_sheet(access_for(people["alice"], a), upload)
    assert refused.value.problems[0].row == 2
    assert not ScoreEntry.objects.exists()


def test_numbers_beyond_storage_are_a_message_not_a_server_error(client, people, round_):
    a = assessment(round_, "A")
    client.force_login(people["alice"])
    url = reverse("web:points", args=[a.pk, "1.1"])
    response = client.post(url, {"points": "9" * 30}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "1.1" in response.content.decode()
    client.force_login(people["erin"])
    response = client.post(reverse("web:points", args=[a.pk, "BONUS"]), {"points": "1e30"})
    assert response.status_code == 302
    with pytest.raises(ActionRefused, match="too large"):
        set_value(
            access_for(people["alice"], a), "dossiers.received", "9" * 20, expected_version=None
        )
    assert not ScoreEntry.objects.exists()


def test_bad_ids_and_dates_are_a_400_with_a_message(client, people, round_):
    a = assessment(round_, "A")
    client.force_login(people["alice"])
    response = client.post(reverse("web:link", args=[a.pk, "1.1"]), {"evidence": "abc"})
    assert response.status_code == 400
    client.force_login(people["erin"])
    response = client.post(
        reverse("web:extend", args=[a.pk]),
        {"window": "self", "until": "2030-02-31", "reason": "ốm"},
    )
    assert response.status_code == 400
    assert "ngày" in response.content.decode() or "date" in response.content.decode()
    response = client.post(
        reverse("web:points", args=[a.pk, "9.9"]), {"points": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400


# --- staleness --------------------------------------------------------------------------------


def _sheet(client, a) -> bytes:
    return client.get(reverse("web:sheet", args=[a.pk])).content


def _fill(content: bytes, values: dict[str, object], *, notes=None, drop_version=False) -> bytes:
    """The downloaded sheet with points (and explanations) typed by code."""
    from openpyxl import load_workbook

    from parindex.assessments.sheets import NOTE, POINTS, VERSION

    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value in values:
            row[POINTS].value = values[row[1].value]
        if row[1].value in (notes or {}):
            row[NOTE].value = notes[row[1].value]
    if drop_version:
        sheet.delete_cols(VERSION + 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_stale_sheet_row_is_refused_even_without_the_hidden_sheet(client, people, round_):
    a = assessment(round_, "A")
    client.force_login(people["alice"])
    taken = _sheet(client, a)
    set_points(access_for(people["alice"], a), "1.1", "1", expected_version=None)
    upload = SimpleUploadedFile("a.xlsx", _fill(taken, {"1.1": 2, "2.2": 1}))
    with pytest.raises(TableError, match=r"1\.1 was changed by alice") as refused:
        import_grid_sheet(access_for(people["alice"], a), upload)
    assert refused.value.conflict
    assert ScoreEntry.objects.get(key="1.1").points == 1
    assert not ScoreEntry.objects.filter(key="2.2").exists()


def test_a_row_that_does_not_say_its_version_needs_the_overwrite_box(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", "1", expected_version=None)
    for name, content in [
        ("a.csv", b"unit,criterion,points\nA,1.1,2\n"),
        (
            "a.xlsx",
            _fill(_sheet(client_for(client, people["alice"]), a), {"1.1": 2}, drop_version=True),
        ),
    ]:
        with pytest.raises(TableError, match="tick “overwrite”"):
            import_grid_sheet(access_for(people["alice"], a), SimpleUploadedFile(name, content))
        assert ScoreEntry.objects.get(key="1.1").points == 1
    report = import_grid_sheet(
        access_for(people["alice"], a),
        SimpleUploadedFile("a.csv", b"unit,criterion,points\nA,1.1,2\n"),
        overwrite=True,
    )
    assert report.updated == 1 and ScoreEntry.objects.get(key="1.1").points == 2


def client_for(client, user):
    client.force_login(user)
    return client


def test_uploading_the_same_sheet_twice_is_a_no_op(client, people, round_):
    a = assessment(round_, "A")
    client.force_login(people["alice"])
    filled = _fill(_sheet(client, a), {"1.1": 1.5})
    first = import_grid_sheet(access_for(people["alice"], a), SimpleUploadedFile("a.xlsx", filled))
    second = import_grid_sheet(access_for(people["alice"], a), SimpleUploadedFile("a.xlsx", filled))
    assert (first.created, second.created, second.updated, second.unchanged) == (1, 0, 0, 1)
    assert AuditEntry.objects.filter(key="1.1").count() == 1
    assert ImportBatch.objects.count() == 1  # nothing changed: no second batch


# --- caps -------------------------------------------------------------------------------------


def test_sheet_uploads_are_capped_before_they_are_parsed(client, people, round_):
    from parindex.assessments import sheets

    a = assessment(round_, "A")
    rows = "".join(f"A,1.1,{i % 2}\n" for i in range(sheets.SHEET_MAX_ROWS + 1))
    many = SimpleUploadedFile("a.csv", ("unit,criterion,points\n" + rows).encode())
    with pytest.raises(TableError, match=r"5000|5\.000"):
        import_grid_sheet(access_for(people["alice"], a), many)
    big = SimpleUploadedFile("a.csv", b"unit,criterion,points\n" + b" " * sheets.SHEET_MAX_BYTES)
    with pytest.raises(ActionRefused, match="larger than 5 MB"):
        import_grid_sheet(access_for(people["alice"], a), big)


def test_at_most_a_hundred_problems_are_shown(client, people, round_):
    a = assessment(round_, "A")
    rows = "".join(f"A,1.1-{i},1\n" for i in range(250))
    client.force_login(people["alice"])
    response = client.post(
        reverse("web:sheet", args=[a.pk]),
        {"sheet": SimpleUploadedFile("a.csv", ("unit,criterion,points\n" + rows).encode())},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 + 100 + 1  # "nothing was imported", 100 problems, "and 150 more"
    assert "150" in shown[-1]


# --- provenance and the appraisal's reasons ------------------------------------------------


def test_every_value_says_where_it_came_from(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", "1", expected_version=None)
    client.force_login(people["alice"])
    # 2.2 is computed from a figure: typed points override it, with an explanation.
    filled = _fill(_sheet(client, a), {"2.2": 1}, notes={"2.2": "Báo cáo nộp qua hệ thống"})
    import_grid_sheet(access_for(people["alice"], a), SimpleUploadedFile("bang.xlsx", filled))
    rows = [Row(2, {"unit": "A", "criterion": "XHH", "points": "7"})]
    import_score_rows(rows, "t-2024", "final", actor="Nguyễn Văn A", reason="khao-sat.csv")
    sources = dict(ScoreEntry.objects.values_list("key", "source"))
    assert sources == {"1.1": "typed", "2.2": "upload", "XHH": "import"}
    upload = ScoreEntry.objects.get(key="2.2")
    assert (upload.batch.name, upload.batch.user, upload.batch.created) == (
        "bang.xlsx",
        people["alice"],
        1,
    )
    imported = ScoreEntry.objects.get(key="XHH")
    assert (imported.updated_by, imported.batch.actor, imported.batch.user) == (
        "Nguyễn Văn A",
        "Nguyễn Văn A",
        None,
    )
    audit = AuditEntry.objects.get(key="XHH")
    assert (audit.source, audit.batch_id, audit.user) == ("import", imported.batch_id, None)
    page = client.get(reverse("web:criterion", args=[a.pk, "2.2"])).content.decode()
    assert "bang.xlsx" in page and f"#{upload.batch_id}" in page


def test_an_appraiser_who_lowers_a_score_gives_the_reason(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", "2", expected_version=None)
    set_value(access_for(people["alice"], a), "dossiers.received", "100", expected_version=None)
    set_value(access_for(people["alice"], a), "dossiers.postal", "20", expected_version=None)
    a = _put_in(round_, "appraisal1")
    carol = access_for(people["carol"], a)
    with pytest.raises(ActionRefused, match=r"1\.2 goes down from 1 to 0"):
        set_value(carol, "dossiers.postal", "0", expected_version=None)  # postal share < 10 %
    set_value(carol, "dossiers.postal", "0", expected_version=None, reason="Không ghi nhận")
    set_points(carol, "1.1", Decimal("2"), expected_version=None)  # not lower: no reason needed
    csv = b"unit,criterion,points,note\nA,1.1,1,\n"
    with pytest.raises(TableError) as refused:
        import_grid_sheet(carol, SimpleUploadedFile("c.csv", csv), overwrite=True)
    assert (refused.value.problems[0].row, refused.value.problems[0].column) == (2, "note")
    csv = b"unit,criterion,points,note\nA,1.1,1,Thieu quyet dinh\n"
    import_grid_sheet(carol, SimpleUploadedFile("c.csv", csv), overwrite=True)
    audit = AuditEntry.objects.filter(key="1.1", stage="appraisal").order_by("-id").first()
    assert (audit.new, audit.reason) == (Decimal(1), "Thieu quyet dinh")


# --- what people see --------------------------------------------------------------------------


def test_rankings_show_published_results_only(client, people, round_):
    from parindex.assessments.results import framework_results

    a, b = assessment(round_, "A"), assessment(round_, "B")
    set_points(access_for(people["alice"], a), "1.1", "2", expected_version=None)
    set_points(access_for(people["bob"], b), "1.1", "1", expected_version=None)
    assert framework_results(round_.framework).units == []  # drafts are private
    UnitAssessment.objects.filter(pk=a.pk).update(state="published")
    UnitAssessment.objects.filter(pk=b.pk).update(state="final")
    shown = framework_results(round_.framework)
    assert [r.unit.code for r in shown.units] == ["A"]
    provisional = framework_results(round_.framework, provisional=round_)
    assert [r.unit.code for r in provisional.units] == ["A", "B"]
    assert provisional.provisional == {"B"}


def test_staff_never_see_another_units_unpublished_figures(client, people, syt, round_):
    from parindex.units.models import PeerGroup

    group = PeerGroup.objects.create(code="bv", name="Bệnh viện")
    for code in ("A", "B"):
        syt[code].group = group
        syt[code].save()
    set_points(
        access_for(people["bob"], assessment(round_, "B")), "1.1", "2", expected_version=None
    )
    set_points(
        access_for(people["alice"], assessment(round_, "A")), "1.1", "1", expected_version=None
    )
    page = client_for(client, people["alice"]).get(reverse("web:dashboard", args=["t-2024", "A"]))
    assert "chưa được công bố" in page.content.decode()  # A's own draft: not published yet
    UnitAssessment.objects.filter(pk=assessment(round_, "A").pk).update(state="published")
    client.force_login(people["alice"])
    page = client.get(reverse("web:dashboard", args=["t-2024", "A"])).content.decode()
    assert "CDC B" not in page  # B's draft is not in A's peer table
    assert "nhóm chỉ có 1 đơn vị" in page  # A is alone among the published: not ranked
    # Only the round's officer may ask for the provisional ranking, and it says so.
    UnitAssessment.objects.filter(pk=assessment(round_, "B").pk).update(state="final")
    page = client.get(reverse("web:dashboard", args=["t-2024", "A"]) + "?provisional=1")
    assert "CDC B" not in page.content.decode()
    client.force_login(people["erin"])
    page = client.get(reverse("web:dashboard", args=["t-2024", "A"]) + "?provisional=1")
    text = page.content.decode()
    assert "CDC B" in text and "tạm tính" in text


def test_a_unit_with_nothing_entered_has_no_band():
    from helpers import make_framework

    from parindex.domain.scoring import StageData, score_unit

    framework = make_framework()
    assert score_unit(framework, {}).band is None
    assert score_unit(framework, {"self": StageData()}).band is None
    assert score_unit(framework, {"self": StageData({"1.1": Decimal(0)})}).band == "Yếu"


# --- found by driving the product in Chromium ------------------------------------------------


def test_a_criterion_scored_from_figures_needs_evidence_too(people, round_):
    from parindex.assessments.criteria import unsupported_criteria

    a = assessment(round_, "A")
    alice = access_for(people["alice"], a)
    set_value(alice, "dossiers.received", "100", expected_version=None)
    set_value(alice, "dossiers.postal", "20", expected_version=None)  # 1.2 computes 1 point
    assert unsupported_criteria(a) == ["1.2"]
    with pytest.raises(ActionRefused, match=r"explanation for 1\.2"):
        act(people["alice"], round_, "A", "submit")


def test_a_refused_figure_is_shown_in_its_row_as_typed(client, people, round_):
    a = assessment(round_, "A")
    client.force_login(people["alice"])
    response = client.post(
        reverse("web:value", args=[a.pk, "reports.late"]), {"value": "1,5", "code": "2.2"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    row = page[page.index('id="row-2.2"') :]
    row = row[: row.index("</tr>")]
    assert "reports.late:" in row and 'value="1,5"' in row and "autofocus" in row
    assert not ScoreEntry.objects.exists()


def test_pages_nobody_may_see_say_so_in_vietnamese(client, people, round_):
    client.force_login(people["bob"])
    response = client.get(reverse("web:grid", args=[assessment(round_, "A").pk]))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_a_workflow_action_without_the_version_it_saw_is_refused(client, people, round_):
    a = assessment(round_, "A")
    client.force_login(people["alice"])
    response = client.post(reverse("web:action", args=[a.pk]), {"action": "submit"})
    assert response.status_code == 400
    assert assessment(round_, "A").state == "draft"


def test_points_saved_on_the_criterion_page_come_back_to_it(client, people, round_):
    a = assessment(round_, "A")
    client.force_login(people["alice"])
    page = client.get(reverse("web:criterion", args=[a.pk, "1.1"])).content.decode()
    assert "hx-post" not in page  # the grid's row fragments have no place on this page
    response = client.post(
        reverse("web:points", args=[a.pk, "1.1"]), {"points": "1,5", "next": "criterion"}
    )
    assert response["Location"] == reverse("web:criterion", args=[a.pk, "1.1"])
    assert ScoreEntry.objects.get(key="1.1").points == Decimal("1.5")


def test_the_results_command_says_a_draft_is_not_published_yet(people, round_):
    from django.core.management import CommandError, call_command

    set_points(
        access_for(people["alice"], assessment(round_, "A")), "1.1", "1", expected_version=None
    )
    with pytest.raises(CommandError, match=r"results of A in t-2024 are not published yet"):
        call_command("results", "--framework", "t-2024", "--unit", "A")


def test_a_provisional_ranking_adds_only_its_own_rounds_finalised_units(people, syt, round_):
    from parindex.assessments.results import framework_results
    from parindex.units.models import Unit

    other = Unit.objects.create(code="C", name="Trung tâm C", parent=syt["SYT"])
    second = open_round(
        people["erin"],
        framework=round_.framework,
        owner=syt["SYT"],
        title="Vòng khác",
        dates=round_dates(),
        units=[other],
    )
    set_points(
        access_for(people["erin"], UnitAssessment.objects.get(round=second)),
        "BONUS",
        "1",
        expected_version=None,
    )
    set_points(
        access_for(people["erin"], assessment(round_, "A")), "BONUS", "1", expected_version=None
    )
    UnitAssessment.objects.filter(unit__code__in=["A", "C"]).update(state="final")
    first = framework_results(round_.framework, provisional=round_)
    assert [r.unit.code for r in first.units] == ["A"] and first.provisional == {"A"}
    assert [r.unit.code for r in framework_results(round_.framework).units] == []
