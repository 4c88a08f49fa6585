"""The grid respects the user's work (issue 7): a refused value stays as typed beside its
reason, what blocks a step is one click away, nothing irreversible happens without saying
what it does, the deadline and the completion are on the page, unreviewed evidence is never
accepted by default, and the history and the steps read as Vietnamese sentences.

Pages are read in Vietnamese (the default language), as people see them."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from helpers import act, assessment, framework_data, round_dates, today

from parindex.assessments.access import access_for
from parindex.assessments.criteria import (
    EvidenceInfo,
    review_evidence,
    set_note,
    set_points,
    set_value,
    upload_evidence,
)
from parindex.assessments.models import EvidenceLink, ScoreEntry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


def page_of(client, people, name, url, **params):
    client.force_login(people[name])
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def grid_url(round_, code="A"):
    return reverse("web:grid", args=[assessment(round_, code).pk])


def row_html(page, code):
    """The HTML of one row of the grid (its <tr> element)."""
    start = page.index(f'id="row-{code}"')
    return page[start : page.index("</tr>", start)]


def text(html):
    """What a reader sees: cells and blocks apart, inline markup (links, strong) inside."""
    html = re.sub(r"</?(td|th|tr|p|div|li|ul|h\d|br|dialog|form)\b[^>]*>", " ", html)
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def attach(people, round_, code="1.1", name="kh.pdf", content=PDF):
    return upload_evidence(
        access_for(people["alice"], assessment(round_, "A")),
        SimpleUploadedFile(name, content),
        EvidenceInfo("Kế hoạch CCHC"),
        [code],
    )


# --- a refused value stays as it was typed, with the reason beside it ---------------------------


def test_refused_points_come_back_as_typed_in_their_row_with_htmx(client, people, round_):
    a = assessment(round_, "A")
    client.force_login(people["alice"])
    url = reverse("web:points", args=[a.pk, "1.1"])
    response = client.post(url, {"points": "1,3x", "version": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # HTMX swaps it: the row says what is wrong
    row = row_html(response.content.decode(), "1.1")
    assert 'value="1,3x"' in row and 'aria-invalid="true"' in row and 'role="alert"' in row
    assert not ScoreEntry.objects.exists()


def test_an_appraiser_lowering_without_a_reason_keeps_the_points_and_the_reason(
    client, people, round_
):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", "2", expected_version=None)
    set_note(access_for(people["alice"], a), "1.1", "Đã ban hành", expected_version=None)
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    client.force_login(people["carol"])
    url = reverse("web:points", args=[a.pk, "1.1"])
    row = row_html(
        client.post(
            url, {"points": "1,5", "version": "", "reason": "  "}, HTTP_HX_REQUEST="true"
        ).content.decode(),
        "1.1",
    )
    assert 'value="1,5"' in row and 'role="alert"' in row
    # Without JavaScript: the grid again (422), the typed points and reason in their row.
    response = client.post(url, {"points": "1,5", "version": "", "reason": ""})
    assert response.status_code == 422
    assert 'value="1,5"' in row_html(response.content.decode(), "1.1")
    assert not ScoreEntry.objects.filter(stage="appraisal").exists()


def test_refused_points_on_the_criterion_page_stay_on_it(client, people, round_):
    a = assessment(round_, "A")
    client.force_login(people["alice"])
    response = client.post(
        reverse("web:points", args=[a.pk, "1.1"]), {"points": "9", "next": "criterion"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "<h1>1.1. Kế hoạch</h1>" in page and 'value="9"' in page


def test_a_refused_explanation_keeps_the_text_written(client, people, round_):
    a = assessment(round_, "A")
    set_note(access_for(people["alice"], a), "1.1", "Bản cũ", expected_version=None)
    client.force_login(people["alice"])
    written = "Kế hoạch ban hành theo văn bản số 12\nđúng hạn"
    response = client.post(
        reverse("web:note", args=[a.pk, "1.1"]), {"text": written, "version": ""}
    )  # someone changed it meanwhile (the version seen was "none")
    assert response.status_code == 422
    page = response.content.decode()
    assert f">{written}</textarea>" in page and 'id="note-error"' in page
    saved = client.post(reverse("web:note", args=[a.pk, "1.1"]), {"text": written, "version": 1})
    assert saved.status_code == 302


# --- a figure saved without a full reload -------------------------------------------------------


@pytest.fixture
def shared_round(people, syt):
    """A round whose criteria 1.2 and 1.3 both read dossiers.received."""
    from helpers import make_framework

    from parindex.assessments.actions import open_round
    from parindex.frameworks.services import save_framework

    data = framework_data()
    data["nodes"][0]["children"][2]["rule"]["denominator"] = "dossiers.received"
    data["inputs"] = {"dossiers.received": {"title": "Số hồ sơ tiếp nhận", "unit": "hồ sơ"}}
    framework, _ = save_framework(make_framework(**data), publish=True)
    return open_round(
        people["erin"],
        framework=framework,
        owner=syt["SYT"],
        title="CCHC 2024",
        dates=round_dates(),
        units=[syt["A"]],
    )


def test_a_figure_saved_with_htmx_recomputes_every_criterion_reading_it(
    client, people, shared_round
):
    a = assessment(shared_round, "A")
    alice = access_for(people["alice"], a)
    set_value(alice, "dossiers.on_time", "40", expected_version=None)
    client.force_login(people["alice"])
    page = client.get(grid_url(shared_round)).content.decode()
    assert "Số hồ sơ tiếp nhận" in row_html(page, "1.2")  # the input's title, not its key
    response = client.post(
        reverse("web:value", args=[a.pk, "dossiers.received"]),
        {"value": "80", "version": "", "code": "1.2"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<tr id="row-1.2"')  # the row the figure was typed in
    other = row_html(body, "1.3")  # also reads it: sent out of band, recomputed (40/80 × 3)
    assert 'hx-swap-oob="true"' in body[body.index('id="row-1.3"') - 40 :]
    assert "1,5" in other
    assert 'id="totals" hx-swap-oob="true"' in body and 'id="row-1"' in body
    assert 'id="confirmations" hx-swap-oob="true"' in body
    assert ScoreEntry.objects.get(key="dossiers.received").value == 80


def test_a_refused_figure_with_htmx_stays_in_its_row_as_typed(client, people, shared_round):
    a = assessment(shared_round, "A")
    client.force_login(people["alice"])
    response = client.post(
        reverse("web:value", args=[a.pk, "dossiers.received"]),
        {"value": "tám mươi", "version": "", "code": "1.2"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    row = row_html(response.content.decode(), "1.2")
    assert 'value="tám mươi"' in row and "Số hồ sơ tiếp nhận:" in row and "autofocus" in row
    assert not ScoreEntry.objects.exists()


# --- what blocks a submission: links, and a filter that shows only what needs attention ---------


def test_a_blocked_submission_links_the_criteria_to_fix(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", "1", expected_version=None)
    set_value(access_for(people["alice"], a), "reports.late", "0", expected_version=None)
    client.force_login(people["alice"])
    url = reverse("web:action", args=[a.pk])
    asked = client.post(url, {"action": "submit", "version": a.version}).content.decode()
    assert "Cần đính kèm tài liệu kiểm chứng hoặc giải trình cho 1.1, 2.2 trước khi gửi" in asked
    for code in ("1.1", "2.2"):
        assert f'href="{reverse("web:criterion", args=[a.pk, code])}"' in asked
    assert 'name="confirm"' not in asked  # nothing to confirm: it cannot be submitted
    response = client.post(url, {"action": "submit", "version": a.version, "confirm": "1"})
    assert response["Location"] == grid_url(round_) + "?show=attention"
    page = client.get(response["Location"]).content.decode()
    assert 'href="#row-1.1"' in page and 'href="#row-2.2"' in page  # the summary's links
    assert assessment(round_, "A").state == "draft"


def test_the_attention_filter_shows_only_the_rows_that_need_it(client, people, round_):
    a = assessment(round_, "A")
    alice = access_for(people["alice"], a)
    set_points(alice, "1.1", "1", expected_version=None)
    set_note(alice, "1.1", "Đã ban hành", expected_version=None)  # scored and explained
    set_value(alice, "reports.late", "0", expected_version=None)  # 2.2 computed, unsupported
    everything = page_of(client, people, "alice", grid_url(round_))
    assert all(f'id="row-{code}"' in everything for code in ("1", "1.1", "1.2", "2.2", "XHH"))
    assert f'href="{grid_url(round_)}?show=attention"' in everything
    only = page_of(client, people, "alice", grid_url(round_), show="attention")
    assert 'id="row-1.1"' not in only  # nothing left to do there
    assert 'id="row-2.2"' in only and 'id="row-2"' in only  # under its area's heading
    assert 'id="row-1.2"' in only and "chưa chấm" in row_html(only, "1.2")
    assert "cần tài liệu kiểm chứng hoặc giải trình" in row_html(only, "2.2")
    assert 'id="row-XHH"' not in only  # the survey is the CCHC officer's to fill
    assert "Hiện tất cả tiêu chí" in only
    assert 'id="row-XHH"' in page_of(client, people, "erin", grid_url(round_), show="attention")


def test_comments_awaiting_an_answer_need_the_units_attention(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", "2", expected_version=None)
    set_note(access_for(people["alice"], a), "1.1", "Đã ban hành", expected_version=None)
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    set_note(access_for(people["carol"], a), "1.1", "Thiếu quyết định", expected_version=None)
    act(people["carol"], round_, "A", "request_explanation")
    only = page_of(client, people, "alice", grid_url(round_), show="attention")
    assert "chờ giải trình" in row_html(only, "1.1")
    asked = client.post(
        reverse("web:action", args=[a.pk]),
        {"action": "answer", "version": assessment(round_, "A").version},
    ).content.decode()
    assert "Còn 1 ý kiến thẩm định chưa được giải trình" in text(asked)


# --- a confirmation that says what will happen --------------------------------------------------


def test_submitting_asks_first_and_says_what_happens(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", "0", expected_version=None)
    page = page_of(client, people, "alice", grid_url(round_))
    # The dialog app.js opens, in the page; the button's form names it.
    assert 'data-confirm="confirm-submit"' in page and '<dialog id="confirm-submit"' in page
    asked = client.post(
        reverse("web:action", args=[a.pk]), {"action": "submit", "version": a.version}
    ).content.decode()
    words = text(asked)
    assert "Gửi bản tự đánh giá?" in words
    assert "Sau khi gửi, đơn vị không sửa được điểm tự chấm" in words
    # The count of the home page and the grid's header (5 of 6), then who fills them.
    assert "Còn 5 tiêu chí chưa chấm (đã chấm 1/6): được tính 0 điểm." in words
    assert "Trong đó 4 tiêu chí do đơn vị chấm và 1 tiêu chí điều tra xã hội học" in words
    form = asked[asked.index('name="confirm"') - 600 :]
    assert 'name="action" value="submit"' in form and f'name="version" value="{a.version}"' in form
    assert assessment(round_, "A").state == "draft"


def test_finalising_warns_of_unreviewed_evidence_by_criterion(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", "2", expected_version=None)
    attach(people, round_, "1.1")
    attach(people, round_, "2.2", name="bc.pdf", content=PDF + b"%bc")
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    review_evidence(
        access_for(people["carol"], a), EvidenceLink.objects.get(code="2.2"), "accepted"
    )
    client.force_login(people["carol"])
    grid = client.get(grid_url(round_)).content.decode()
    assert "tài liệu chưa xem xét" in row_html(grid, "1.1")
    assert "chưa xem xét" not in row_html(grid, "2.2")
    dialog = grid[grid.index('<dialog id="confirm-finalize"') :]
    dialog = dialog[: dialog.index("</dialog>")]
    assert "Còn 1 tài liệu chưa xem xét" in text(dialog)
    assert f'href="{reverse("web:criterion", args=[a.pk, "1.1"])}"' in dialog
    asked = client.post(
        reverse("web:action", args=[a.pk]),
        {"action": "finalize", "version": assessment(round_, "A").version},
    ).content.decode()
    assert "Kết thúc thẩm định?" in asked and "Còn 1 tài liệu chưa xem xét" in text(asked)
    assert assessment(round_, "A").state == "appraisal1"


def test_withdrawing_reopening_and_publishing_ask_first(client, people, round_):
    a = assessment(round_, "A")
    act(people["alice"], round_, "A", "submit")
    client.force_login(people["alice"])
    asked = client.post(
        reverse("web:action", args=[a.pk]),
        {"action": "withdraw", "version": assessment(round_, "A").version},
    ).content.decode()
    assert "Rút lại bản đã gửi?" in asked and "phải được gửi lại trước hạn" in asked
    client.force_login(people["erin"])
    asked = client.post(
        reverse("web:action", args=[a.pk]),
        {
            "action": "reopen",
            "target": "draft",
            "note": "Nộp nhầm",
            "version": assessment(round_, "A").version,
        },
    ).content.decode()
    assert "Mở lại bản đánh giá?" in asked and ">đang soạn</strong>" in asked
    assert "Nộp nhầm" in asked and 'name="target" value="draft"' in asked
    assert assessment(round_, "A").state == "submitted"
    act(people["carol"], round_, "A", "start_appraisal")
    act(people["carol"], round_, "A", "finalize")
    page = page_of(client, people, "erin", grid_url(round_))
    assert '<dialog id="confirm-publish"' in page
    round_page = page_of(client, people, "erin", reverse("web:round", args=[round_.pk]))
    assert 'data-confirm="confirm-publish-round"' in round_page
    assert "Công bố kết quả của 1 đơn vị?" in round_page


# --- the deadline and the completion --------------------------------------------------------------


def test_the_grid_shows_the_deadline_and_the_days_left(client, people, round_):
    page = text(page_of(client, people, "alice", grid_url(round_)))
    due = (today() + timedelta(days=5)).strftime("%d/%m/%Y")
    assert f"Hạn tự đánh giá: {due} — còn 5 ngày" in page


def test_an_extension_for_the_unit_is_shown_on_its_grid(client, people, round_):
    from parindex.assessments.actions import extend_deadline

    a = assessment(round_, "A")
    until = today() + timedelta(days=12)
    extend_deadline(people["erin"], a, "self", until, reason="Mất điện")
    page = text(page_of(client, people, "alice", grid_url(round_)))
    assert f"đã gia hạn đến {until.strftime('%d/%m/%Y')}" in page and "còn 12 ngày" in page


def test_an_overdue_deadline_is_red_with_the_days_late(client, people, round_):
    round_.self_due = today() - timedelta(days=3)
    round_.save()
    page = page_of(client, people, "alice", grid_url(round_))
    assert '<span class="deadline late">' in page and "quá hạn 3 ngày" in page


def test_completion_on_the_grid_and_on_the_round_page(client, people, round_):
    set_points(
        access_for(people["alice"], assessment(round_, "A")), "1.1", "1", expected_version=None
    )
    page = text(page_of(client, people, "alice", grid_url(round_)))
    assert "Đã chấm 1/6 tiêu chí" in page and "16%" in page
    overview = page_of(client, people, "erin", reverse("web:round", args=[round_.pk]))
    rows = {
        code: text(row)
        for code, row in re.findall(
            r"<tr><td class=\"unit\"><a[^>]*>(\w+) —(.*?)</tr>", overview, re.S
        )
    }
    assert "1/6 · 16%" in rows["A"] and "chưa chấm tiêu chí nào" not in rows["A"]
    assert "0/6 · 0%" in rows["B"] and "chưa chấm tiêu chí nào" in rows["B"]
    assert "0%" in rows["B"] and " 0 0 " not in rows["B"]  # no "0 / 0 / 0%" for a draft


# --- evidence: unreviewed is shown as such, and never accepted by default -------------------------


def test_the_review_has_no_default_and_must_be_chosen(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", "2", expected_version=None)
    attach(people, round_, "1.1")
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    page = page_of(client, people, "carol", reverse("web:criterion", args=[a.pk, "1.1"]))
    select = page[page.index('<select name="review"') :]
    select = select[: select.index("</select>")]
    assert "required" in select and "selected" not in select
    assert '<option value="">chọn…</option>' in select
    assert 'class="badge pending">chưa xem xét<' in page
    link = EvidenceLink.objects.get()
    response = client.post(
        reverse("web:review", args=[a.pk, link.pk]), {"review": "", "reason": "mờ"}
    )
    assert response.status_code == 422
    assert "Chọn kết quả xem xét tài liệu" in response.content.decode()
    assert 'value="mờ"' in response.content.decode()  # the reason typed stays
    assert EvidenceLink.objects.get().review == "pending"
    refused = client.post(
        reverse("web:review", args=[a.pk, link.pk]), {"review": "insufficient", "reason": ""}
    ).content.decode()
    chosen = refused[refused.index('<select name="review"') :]
    assert '<option value="insufficient" selected>' in chosen[: chosen.index("</select>")]


def test_evidence_form_errors_name_the_field_and_keep_what_was_entered(client, people, round_):
    a = assessment(round_, "A")
    client.force_login(people["alice"])
    entered = {
        "title": "Quyết định kiện toàn",
        "number": "15/QĐ-SYT",
        "issued_on": "2024-03-01",
        "issuer": "Sở Y tế",
    }
    response = client.post(reverse("web:upload", args=[a.pk, "1.1"]), entered)
    assert response.status_code == 422
    page = response.content.decode()
    assert re.search(r'<a href="#id_file">Tệp[^<]*</a>: ', page)  # the field is named
    for value in entered.values():
        assert f'value="{value}"' in page
    assert "hãy chọn lại tệp" in page
    fake = client.post(
        reverse("web:upload", args=[a.pk, "1.1"]),
        {**entered, "file": SimpleUploadedFile("x.pdf", b"not really")},
    ).content.decode()
    assert "không phải tệp PDF" in fake and 'value="15/QĐ-SYT"' in fake


# --- the history and the steps in words -----------------------------------------------------------


def named(people):
    for user, (family, given) in {
        "alice": ("Nguyễn Thị", "Hoa"),
        "carol": ("Trần Văn", "Bình"),
        "erin": ("Lê Thị", "Lan"),
    }.items():
        people[user].last_name, people[user].first_name = family, given
        people[user].save()


def test_the_history_reads_as_sentences_with_peoples_names(client, people, round_):
    named(people)
    a = assessment(round_, "A")
    alice = access_for(people["alice"], a)
    entry = set_points(alice, "1.1", "1.5", expected_version=None)
    set_points(access_for(people["alice"], a), "1.1", "1.25", expected_version=entry.version)
    set_note(access_for(people["alice"], a), "1.1", "Theo kế hoạch số 12", expected_version=None)
    attach(people, round_, "1.1")
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    review_evidence(
        access_for(people["carol"], a), EvidenceLink.objects.get(), "insufficient", "Thiếu dấu"
    )
    page = page_of(client, people, "dave", reverse("web:criterion", args=[a.pk, "1.1"]))
    history = text(page[page.index('<table class="stack history">') :])
    assert "Điểm tự chấm: 1,5 → 1,25" in history
    assert "Giải trình Theo kế hoạch số 12" in history
    assert "Xem xét tài liệu: chưa xem xét → chưa đạt" in history
    assert "Nguyễn Thị Hoa" in history and "Trần Văn Bình" in history
    assert "alice" not in history and "carol" not in history
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", history)  # the date first
    for word in ("points (self)", "explanation", "comment2", "pending", "insufficient"):
        assert word not in history


def test_the_steps_read_as_sentences(client, people, round_):
    named(people)
    from parindex.assessments.actions import extend_deadline

    a = assessment(round_, "A")
    until = today() + timedelta(days=9)
    extend_deadline(people["erin"], a, "self", until, reason="Mất điện")
    page = page_of(client, people, "alice", grid_url(round_))
    steps = text(page[page.index('<table class="stack steps">') :])
    assert "Mở đợt đánh giá" in steps and "open:" not in steps
    assert "Gia hạn" in steps and "extend" not in steps
    assert f"Hạn tự đánh giá được dời đến {until.strftime('%d/%m/%Y')}: Mất điện" in steps
    assert "Lê Thị Lan" in steps and "self →" not in steps


def test_a_saved_figure_keeps_the_page_without_javascript(client, people, round_):
    a = assessment(round_, "A")
    client.force_login(people["alice"])
    response = client.post(
        reverse("web:value", args=[a.pk, "reports.late"]), {"value": "2", "code": "2.2"}
    )
    assert response["Location"] == grid_url(round_) + "#row-2.2"
    assert ScoreEntry.objects.get(key="reports.late").value == Decimal(2)


def test_points_typed_over_a_computed_criterion_are_shown_as_an_override(client, people, round_):
    a = assessment(round_, "A")
    alice = access_for(people["alice"], a)
    set_value(alice, "reports.late", "4", expected_version=None)  # 2.2 computes 1 point
    set_note(alice, "2.2", "Hai báo cáo nộp chậm do lỗi phần mềm", expected_version=None)
    set_points(access_for(people["alice"], a), "2.2", "2", expected_version=None)
    page = page_of(client, people, "alice", grid_url(round_))
    row = text(row_html(page, "2.2"))
    assert "điểm nhập thay điểm tính từ số liệu" in row and "tính từ số liệu: 1" in row
    only = page_of(client, people, "alice", grid_url(round_), show="attention")
    assert 'id="row-2.2"' in only


def test_a_reopening_that_cannot_be_taken_says_why_before_asking(client, people, round_):
    a = assessment(round_, "A")
    act(people["alice"], round_, "A", "submit")
    url = reverse("web:action", args=[a.pk])
    data = {"action": "reopen", "target": "draft", "note": "x", "version": a.version + 1}
    client.force_login(people["alice"])
    asked = client.post(url, data).content.decode()
    assert 'name="confirm"' not in asked and 'role="alert"' in asked  # not the officer
    client.force_login(people["erin"])
    for wrong in ({"target": "published"}, {"note": " "}):
        asked = client.post(url, {**data, **wrong}).content.decode()
        assert 'name="confirm"' not in asked and 'role="alert"' in asked, wrong
    assert 'name="confirm"' in client.post(url, data).content.decode()
    assert assessment(round_, "A").state == "submitted"


# --- the reviewer's findings on the grid (issue 7, second pass) -------------------------------


def totals_text(page):
    start = page.index('id="totals"')
    return text(page[start : page.index('<p class="filter">', start)])


def dialog_html(page, dialog_id):
    start = page.index(f'<dialog id="{dialog_id}"')
    return page[start : page.index("</dialog>", start)]


def appraised_round(people, round_, points="1,5", reason="Thiếu quyết định ban hành"):
    """Unit A: alice scores 1.1 at 2 with an explanation and submits; carol appraises it at
    `points` with `reason`, through the grid's HTMX save. Returns carol's answer."""
    from django.test import Client

    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", "2", expected_version=None)
    set_note(access_for(people["alice"], a), "1.1", "Đã ban hành", expected_version=None)
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    carol = Client()
    carol.force_login(people["carol"])
    return carol.post(
        reverse("web:points", args=[a.pk, "1.1"]),
        {"points": points, "version": "", "reason": reason},
        HTTP_HX_REQUEST="true",
    ).content.decode()


def test_publishing_lists_what_is_empty_per_unit_and_links_the_survey_points(
    client, people, round_
):
    a = assessment(round_, "A")
    appraised_round(people, round_)
    act(people["carol"], round_, "A", "finalize")
    grid_page = page_of(client, people, "erin", grid_url(round_))
    round_page = page_of(client, people, "erin", reverse("web:round", args=[round_.pk]))
    client.force_login(people["erin"])
    no_js = client.post(reverse("web:round_publish", args=[round_.pk])).content.decode()
    for said in (
        dialog_html(grid_page, "confirm-publish"),
        dialog_html(round_page, "confirm-publish-round"),
        no_js,
    ):
        words = text(said)
        assert "chính thức" in words  # the results become final
        assert "Chưa nhập điểm điều tra xã hội học của 1 tiêu chí" in words
        assert f'href="/assessments/{a.pk}/#row-XHH"' in said  # where the officer enters it
        assert "Còn 4 tiêu chí chưa có điểm" in words  # 1.2, 1.3, 2.1, 2.2 (and XHH above)
        assert reverse("web:criterion", args=[a.pk, "1.2"]) in said
    # Once the officer has entered the survey points, only the unit's empty criteria remain.
    set_points(access_for(people["erin"], a), "XHH", "8", expected_version=None)
    said = text(dialog_html(page_of(client, people, "erin", grid_url(round_)), "confirm-publish"))
    assert "điều tra xã hội học" not in said and "Còn 4 tiêu chí chưa có điểm" in said
    assert "#row-XHH" not in said


def test_after_appraisal_and_the_band_wait_for_the_appraisal(client, people, round_):
    a = assessment(round_, "A")
    set_points(access_for(people["alice"], a), "1.1", "2", expected_version=None)
    draft = totals_text(page_of(client, people, "alice", grid_url(round_)))
    assert "Sau thẩm định — chưa thẩm định" in draft and "Xếp loại —" in draft
    assert "Yếu" not in draft  # 2 of 20 points would read "Yếu"
    overview = text(page_of(client, people, "erin", reverse("web:round", args=[round_.pk])))
    assert "chưa thẩm định" in overview and "Yếu" not in overview
    set_note(access_for(people["alice"], a), "1.1", "Đã ban hành", expected_version=None)
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    set_points(access_for(people["carol"], a), "1.1", "2", expected_version=None)
    # The appraiser sees a provisional band; the unit none until the appraisal is finished.
    assert "Xếp loại Yếu (tạm tính)" in totals_text(
        page_of(client, people, "carol", grid_url(round_))
    )
    unit = totals_text(page_of(client, people, "alice", grid_url(round_)))
    assert "Sau thẩm định 2 / 20" in unit and "Yếu" not in unit
    act(people["carol"], round_, "A", "finalize")
    final = totals_text(page_of(client, people, "alice", grid_url(round_)))
    assert "Xếp loại Yếu" in final and "tạm tính" not in final


def test_the_appraisers_reason_stays_in_the_row_for_every_reader(client, people, round_):
    answer = appraised_round(people, round_)
    mine = row_html(answer, "1.1")
    assert 'name="reason" value="Thiếu quyết định ban hành"' in mine  # the box keeps it
    page = page_of(client, people, "alice", grid_url(round_))
    assert "Thiếu quyết định ban hành" in text(row_html(page, "1.1"))  # the unit sees why
    # Saved again unchanged, it stays; the box emptied, it goes.
    a = assessment(round_, "A")
    entry = ScoreEntry.objects.get(stage="appraisal", key="1.1")
    assert entry.note == "Thiếu quyết định ban hành"
    client.force_login(people["carol"])
    client.post(
        reverse("web:points", args=[a.pk, "1.1"]),
        {"points": "1,75", "version": entry.version, "reason": ""},
    )
    assert ScoreEntry.objects.get(stage="appraisal", key="1.1").note == ""


def test_area_rows_show_the_subtotal_of_each_appraisal_round(client, people, round_):
    appraised_round(people, round_)
    page = page_of(client, people, "alice", grid_url(round_))
    area = row_html(page, "1")
    cells = re.findall(r'<td class="num[^"]*" data-label="([^"]+)">([^<]*)<', area)
    assert ("Thẩm định", "1,5") in cells  # 1.1 appraised at 1,5; 1.2 and 1.3 empty
    assert ("Thẩm định lần 2", "") in cells  # no second round yet
    assert ("Tự chấm", "2") in cells


def test_an_appraisers_override_asks_for_the_appraisal_comment_not_an_explanation(
    client, people, round_
):
    a = assessment(round_, "A")
    alice = access_for(people["alice"], a)
    set_value(alice, "reports.late", "4", expected_version=None)  # 2.2 computes 1 point
    set_note(alice, "2.2", "Hai báo cáo nộp chậm do lỗi phần mềm", expected_version=None)
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    client.force_login(people["carol"])
    answer = client.post(
        reverse("web:points", args=[a.pk, "2.2"]),
        {"points": "2", "version": "", "reason": ""},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    said = text(row_html(answer, "2.2"))
    assert "ý kiến thẩm định" in said and "giải trình" not in said


def test_the_criterion_page_says_the_rule_once_and_the_save_buttons_say_save(
    client, people, round_
):
    a = assessment(round_, "A")
    from django.utils.html import escape
    from django.utils.translation import override

    from parindex.web.templatetags.parindex import describe

    with override("vi"):
        rule = escape(describe(a.framework.domain.node_map()["2.2"]))
    page = page_of(client, people, "alice", reverse("web:criterion", args=[a.pk, "2.2"]))
    assert page.count(rule) == 1, rule
    buttons = re.findall(r'<button type="submit" class="secondary save"[^>]*>(.*?)</button>', page)
    assert buttons and all('<span class="save-text">Lưu</span>' in b for b in buttons)
