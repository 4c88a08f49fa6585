"""The shipped templates, built from the Decree 30 layout (`layout`): one .docx per kind and
language under `documents/templates/<language>/<kind>.docx`. They are files like any an
administrator uploads in their place; this module only makes them again after a change:

    .venv/bin/python -m parindex.documents.builtin      # writes every shipped template

The fixed wording is the usual one of a Sở's documents, with its English translation side by
side (`say(vietnamese, english)`: one builder, so both languages have the same blocks and
placeholders); every figure is a placeholder filled from the data
(`parindex.documents.context`)."""

from __future__ import annotations

from pathlib import Path

from parindex.documents import layout

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _wording(language: str):
    if language not in layout.LANGUAGES:
        raise ValueError(f"no shipped wording in {language!r}")

    def say(vietnamese: str, english: str) -> str:
        return vietnamese if language == "vi" else english

    return say


def results_letter(language: str = "vi"):
    """Công văn quán triệt kết quả Chỉ số CCHC và rút kinh nghiệm (Mẫu 1.5)."""
    say = _wording(language)
    document = layout.new_document()
    layout.header(document, letter=True, language=language)
    layout.addressed(document, "{{ addressees }}", language)
    layout.body(
        document,
        say(
            "Căn cứ kết quả Chỉ số cải cách hành chính năm {{ year }} ({{ framework_title }}) "
            "được công bố, {{ unit_name }} thông báo kết quả và đề nghị các phòng, đơn vị "
            "quán triệt, rút kinh nghiệm như sau:",
            "Following the publication of the Administrative Reform Index {{ year }} "
            "({{ framework_title }}), {{ unit_name }} announces its results and asks its "
            "divisions and units to take note of them and of the lessons below:",
        ),
    )
    layout.heading(document, say("1. Kết quả chung", "1. Overall result"))
    layout.body(
        document,
        say(
            "Năm {{ year }}, {{ unit_name }} đạt {{ total }}/{{ max }} điểm ({{ index }}%), "
            "xếp loại {{ band }}, xếp thứ {{ rank }}/{{ ranked }} {{ group_name }}.",
            "In {{ year }}, {{ unit_name }} scored {{ total }}/{{ max }} points "
            "({{ index }}%), band {{ band }}, ranked {{ rank }}/{{ ranked }} among "
            "{{ group_name }}.",
        ),
    )
    layout.body(
        document,
        say(
            "{% if penalty_zero %}Tổng điểm {{ total }} điểm, gồm: điểm các tiêu chí thẩm định "
            "{{ appraisal }} điểm, điểm điều tra xã hội học {{ survey }} điểm{% if bonus_any %}"
            " và điểm thưởng {{ bonus }} điểm{% endif %}.{% else %}Điểm các tiêu chí thẩm định "
            "đạt {{ appraisal }} điểm; điểm điều tra xã hội học đạt {{ survey }} điểm; điểm "
            "thưởng {{ bonus }} điểm; điểm trừ {{ penalty }} điểm.{% endif %}",
            "{% if penalty_zero %}The total of {{ total }} points is made of "
            "{{ appraisal }} points for the appraised criteria and {{ survey }} points from "
            "the sociological survey{% if bonus_any %}, with {{ bonus }} bonus points"
            "{% endif %}.{% else %}The appraised criteria scored {{ appraisal }} points; the "
            "sociological survey {{ survey }} points; bonus {{ bonus }} points; penalty "
            "{{ penalty }} points.{% endif %}",
        ),
    )
    layout.body(
        document,
        say(
            "{% if previous %}Tổng điểm năm {{ year }} đạt {{ total }} điểm, {{ change_text }} "
            "so với năm {{ previous_year }} ({{ previous_total }} điểm).{% else %}Chưa có kết "
            "quả năm trước để so sánh.{% endif %}",
            "{% if previous %}The {{ year }} total of {{ total }} points is {{ change_text }} "
            "on {{ previous_year }} ({{ previous_total }} points).{% else %}There is no "
            "result of the previous year to compare with.{% endif %}",
        ),
    )
    layout.body(
        document,
        say(
            "{% if previous_rank %}Năm {{ year }}, {{ unit_name }} xếp thứ {{ rank }}/"
            "{{ ranked }}, {{ rank_change_text }} so với năm {{ previous_year }} (xếp thứ "
            "{{ previous_rank }}/{{ previous_ranked }}).{% endif %}",
            "{% if previous_rank %}In {{ year }}, {{ unit_name }} ranked {{ rank }}/"
            "{{ ranked }}, {{ rank_change_text }} on {{ previous_year }} (ranked "
            "{{ previous_rank }}/{{ previous_ranked }}).{% endif %}",
        ),
    )
    layout.heading(document, say("2. Kết quả từng lĩnh vực", "2. Result of each area"))
    layout.picture(document, "{{ chart }}")
    layout.data_table(
        document,
        [
            (say("TT", "No."), 1.6),
            (say("Lĩnh vực", "Area"), 6.4),
            (say("Điểm đạt", "Points"), 2.0),
            (say("Tối đa", "Max."), 1.8),
            (say("Xếp hạng", "Rank"), 2.0),
            (say("So với năm trước", "Change on last year"), 2.7),
        ],
        [
            "{{ a.code }}",
            "{{ a.title }}",
            "{{ a.score }}",
            "{{ a.max }}",
            "{{ a.rank }}",
            "{{ a.change }}",
        ],
        "a in areas",
    )
    layout.heading(
        document,
        say(
            "3. Các tiêu chí bị mất điểm và hướng khắc phục",
            "3. The criteria that lost points, and the remedies",
        ),
    )
    layout.control(document, "{%p for item in losses %}")
    layout.body(
        document,
        say(
            "- Tiêu chí {{ item.code }} ({{ item.title }}): mất {{ item.lost }} điểm; "
            "hướng khắc phục: {{ item.direction }}",
            "- Criterion {{ item.code }} ({{ item.title }}): {{ item.lost }} points lost; "
            "remedy: {{ item.direction }}",
        ),
    )
    layout.control(document, "{%p endfor %}")
    layout.heading(document, say("4. Đề nghị", "4. Requests"))
    layout.body(
        document,
        say(
            "Đề nghị Trưởng các phòng, Thủ trưởng các đơn vị thuộc Sở quán triệt kết quả trên "
            "đến toàn thể công chức, viên chức; rà soát nguyên nhân mất điểm thuộc lĩnh vực "
            "được giao và thực hiện nghiêm Kế hoạch khắc phục của Sở; kết quả thực hiện báo cáo "
            "về Văn phòng Sở để tổng hợp.",
            "The heads of the divisions and units are asked to bring these results to all "
            "their civil servants and public employees; to review the causes of the points "
            "lost in the areas assigned to them and to carry out the Department's remediation "
            "plan strictly; and to report what they have done to the Department's Office.",
        ),
    )
    layout.signature(document, language=language)
    return document


def remediation_plan(language: str = "vi"):
    """Kế hoạch khắc phục tồn tại, hạn chế Chỉ số CCHC (Mẫu 1.4, văn bản có tên loại)."""
    say = _wording(language)
    document = layout.new_document()
    layout.header(document, language=language)
    layout.title(document)
    layout.heading(document, say("I. MỤC ĐÍCH, YÊU CẦU", "I. PURPOSE AND REQUIREMENTS"))
    layout.body(
        document,
        say(
            "1. Khắc phục kịp thời các tồn tại, hạn chế làm mất điểm trong Chỉ số cải cách hành "
            "chính năm {{ year }}; nâng cao chất lượng, hiệu quả công tác cải cách hành chính.",
            "1. To remedy without delay the shortcomings that lost points in the "
            "Administrative Reform Index {{ year }}, and to raise the quality and the "
            "effectiveness of the administrative reform work.",
        ),
    )
    layout.body(
        document,
        say(
            "2. Phân công cụ thể nội dung, đơn vị chủ trì, đơn vị phối hợp và thời hạn hoàn "
            "thành; có tài liệu kiểm chứng kết quả thực hiện.",
            "2. To assign each task with its lead unit, its supporting units and its "
            "deadline, each result backed by evidence.",
        ),
    )
    layout.heading(document, say("II. TỒN TẠI, HẠN CHẾ", "II. SHORTCOMINGS"))
    layout.body(
        document,
        say(
            "Năm {{ year }}, {{ unit_name }} đạt {{ total }}/{{ max }} điểm, xếp thứ "
            "{{ rank }}/{{ ranked }}; các tiêu chí bị mất {{ lost }} điểm, trong đó:",
            "In {{ year }}, {{ unit_name }} scored {{ total }}/{{ max }} points, ranked "
            "{{ rank }}/{{ ranked }}; the criteria lost {{ lost }} points, of which:",
        ),
    )
    layout.control(document, "{%p for area in lost_areas %}")
    layout.body(
        document,
        say(
            "- Lĩnh vực {{ area.code }} ({{ area.title }}): mất {{ area.lost }} điểm.",
            "- Area {{ area.code }} ({{ area.title }}): {{ area.lost }} points lost.",
        ),
    )
    layout.control(document, "{%p endfor %}")
    layout.heading(
        document,
        say(
            "III. NHIỆM VỤ, GIẢI PHÁP VÀ PHÂN CÔNG THỰC HIỆN",
            "III. TASKS, SOLUTIONS AND ASSIGNMENTS",
        ),
    )
    layout.control(document, "{%p if items %}")  # no empty table
    layout.data_table(
        document,
        [
            (say("TT", "No."), 1.1),
            (say("Tiêu chí", "Criterion"), 1.5),
            (say("Nội dung khắc phục", "Remedy"), 5.9),
            (say("Chủ trì", "Lead"), 2.1),
            (say("Phối hợp", "Support"), 2.1),
            (say("Thời hạn", "Deadline"), 2.8),
        ],
        [
            "{{ i.number }}",
            "{{ i.code }}",
            "{{ i.solution }}",
            "{{ i.responsible }}",
            "{{ i.supporting }}",
            "{{ i.deadline }}",
        ],
        "i in items",
        left=(2,),
    )
    layout.control(document, "{%p endif %}")
    layout.heading(document, say("IV. TỔ CHỨC THỰC HIỆN", "IV. IMPLEMENTATION"))
    layout.body(
        document,
        say(
            "1. Các phòng, đơn vị được giao chủ trì tổ chức thực hiện nội dung được phân công, "
            "cập nhật tiến độ và tài liệu kiểm chứng trên hệ thống theo dõi Chỉ số CCHC.",
            "1. The lead divisions and units carry out the tasks assigned to them and keep "
            "their progress and evidence up to date in the PAR Index system.",
        ),
    )
    layout.body(
        document,
        say(
            "2. Văn phòng Sở theo dõi, đôn đốc, tổng hợp kết quả thực hiện, báo cáo Giám đốc Sở.",
            "2. The Department's Office follows up, reminds, sums up the results and reports "
            "them to the Director.",
        ),
    )
    layout.signature(document, language=language)
    return document


def annual_report(language: str = "vi"):
    """Báo cáo kết quả thực hiện công tác CCHC năm (Mẫu 1.4): the one-stop table and chart,
    and the other registers' figures, over the year."""
    say = _wording(language)
    document = layout.new_document()
    layout.header(document, language=language)
    layout.title(document)
    layout.body(
        document,
        say(
            "{{ unit_name }} báo cáo kết quả thực hiện công tác cải cách hành chính năm "
            "{{ year }} (số liệu {{ period }}) như sau:",
            "{{ unit_name }} reports the results of its administrative reform work in "
            "{{ year }} (figures {{ period }}) as follows:",
        ),
    )
    layout.heading(
        document,
        say("I. KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH", "I. ADMINISTRATIVE REFORM INDEX"),
    )
    layout.body(
        document,
        say(
            "{% if published %}Năm {{ year }}, {{ unit_name }} đạt {{ total }}/{{ max }} điểm "
            "({{ index }}%), xếp loại {{ band }}, xếp thứ {{ rank }}/{{ ranked }} "
            "{{ group_name }}.{% else %}Kết quả Chỉ số cải cách hành chính năm {{ year }} chưa "
            "được công bố.{% endif %}",
            "{% if published %}In {{ year }}, {{ unit_name }} scored {{ total }}/{{ max }} "
            "points ({{ index }}%), band {{ band }}, ranked {{ rank }}/{{ ranked }} among "
            "{{ group_name }}.{% else %}The Administrative Reform Index {{ year }} has not "
            "been published yet.{% endif %}",
        ),
    )
    layout.heading(
        document,
        say(
            "II. KẾT QUẢ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH",
            "II. ADMINISTRATIVE PROCEDURE DOSSIERS",
        ),
    )
    layout.body(
        document,
        say(
            "{% if dossiers %}Tổng số hồ sơ tiếp nhận là {{ dossiers.col3 }} hồ sơ, gồm "
            "{{ dossiers.col4 }} hồ sơ trực tuyến, {{ dossiers.col5 }} hồ sơ trực tiếp và qua "
            "bưu chính và {{ dossiers.col6 }} hồ sơ kỳ trước chuyển sang.{% else %}Sổ theo dõi "
            "hồ sơ chưa có số liệu của năm {{ year }}.{% endif %}",
            "{% if dossiers %}{{ dossiers.col3 }} dossiers were received: {{ dossiers.col4 }} "
            "online, {{ dossiers.col5 }} in person or by post, and {{ dossiers.col6 }} "
            "carried over from the previous period.{% else %}The dossier register has no "
            "figures for {{ year }} yet.{% endif %}",
        ),
    )
    layout.body(
        document,
        say(
            "{% if dossiers %}Đã giải quyết {{ dossiers.col7 }} hồ sơ, trong đó trước hạn "
            "{{ dossiers.col8 }} hồ sơ ({{ dossiers.early_pct }}%), đúng hạn {{ dossiers.col9 }}"
            " hồ sơ ({{ dossiers.on_time_pct }}%), quá hạn {{ dossiers.col10 }} hồ sơ "
            "({{ dossiers.late_pct }}%); đang giải quyết {{ dossiers.col11 }} hồ sơ, trong đó "
            "trong hạn {{ dossiers.col12 }} hồ sơ, quá hạn {{ dossiers.col13 }} hồ sơ."
            "{% endif %}",
            "{% if dossiers %}{{ dossiers.col7 }} dossiers were resolved: "
            "{{ dossiers.col8 }} early ({{ dossiers.early_pct }}%), {{ dossiers.col9 }} on "
            "time ({{ dossiers.on_time_pct }}%) and {{ dossiers.col10 }} late "
            "({{ dossiers.late_pct }}%); {{ dossiers.col11 }} are being resolved, "
            "{{ dossiers.col12 }} within and {{ dossiers.col13 }} past their time limit."
            "{% endif %}",
        ),
    )
    layout.body(
        document,
        say(
            "{% if dossiers %}Hồ sơ trực tuyến là {{ dossiers.online }}/{{ dossiers.received }}"
            " hồ sơ ({{ dossiers.online_pct }}%); hồ sơ tiếp nhận hoặc trả kết quả qua dịch vụ "
            "bưu chính công ích là {{ dossiers.postal }}/{{ dossiers.postal_of }} hồ sơ "
            "({{ dossiers.postal_pct }}%).{% endif %}",
            "{% if dossiers %}Online dossiers: {{ dossiers.online }}/{{ dossiers.received }} "
            "({{ dossiers.online_pct }}%); dossiers received or returned through the public "
            "postal service: {{ dossiers.postal }}/{{ dossiers.postal_of }} "
            "({{ dossiers.postal_pct }}%).{% endif %}",
        ),
    )
    layout.picture(document, "{% if dossiers %}{{ dossier_chart }}{% endif %}")
    layout.control(document, "{%p if dossier_rows %}")  # no empty table
    layout.data_table(
        document,
        [
            (say("TT", "No."), 1.4),
            (say("Chỉ tiêu", "Dossiers"), 9.6),
            (say("Số hồ sơ", "Count"), 2.8),
            (say("Tỷ lệ", "Share"), 2.7),
        ],
        ["{{ d.number }}", "{{ d.label }}", "{{ d.count }}", "{{ d.share }}"],
        "d in dossier_rows",
    )
    layout.control(document, "{%p endif %}")
    layout.heading(document, say("III. CÁC KẾT QUẢ KHÁC", "III. OTHER RESULTS"))
    layout.control(document, "{%p if others %}")  # no empty table
    layout.data_table(
        document,
        [
            (say("Chỉ tiêu", "Indicator"), 8.5),
            (say("Đạt", "Done"), 2.6),
            (say("Tổng số", "Total"), 2.6),
            (say("Tỷ lệ", "Share"), 2.8),
        ],
        ["{{ o.label }}", "{{ o.done }}", "{{ o.total }}", "{{ o.pct }}%"],
        "o in others",
        left=(0,),
    )
    layout.control(document, "{%p endif %}")
    layout.body(
        document,
        say(
            "{% if not others %}Các sổ theo dõi chưa có số liệu khác của năm {{ year }}."
            "{% endif %}",
            "{% if not others %}The registers have no other figures for {{ year }} yet.{% endif %}",
        ),
    )
    layout.signature(document, language=language)
    return document


def self_assessment(language: str = "vi"):
    """Báo cáo kết quả tự đánh giá, chấm điểm Chỉ số CCHC (Mẫu 1.4), with its appendix workbook
    (every criterion with its self score, explanation and evidence)."""
    say = _wording(language)
    document = layout.new_document()
    layout.header(document, language=language)
    layout.title(document)
    layout.body(
        document,
        say(
            "{{ unit_name }} báo cáo kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính "
            "năm {{ year }} theo {{ framework_title }} như sau:",
            "{{ unit_name }} reports the results of its self-assessment and scoring of the "
            "Administrative Reform Index {{ year }} under {{ framework_title }} as follows:",
        ),
    )
    layout.heading(document, say("I. KẾT QUẢ TỰ ĐÁNH GIÁ", "I. SELF-ASSESSMENT"))
    layout.body(
        document,
        say(
            "Tổng điểm tự đánh giá: {{ self_total }}/{{ max }} điểm; từng lĩnh vực:",
            "Self-assessed total: {{ self_total }}/{{ max }} points; by area:",
        ),
    )
    layout.data_table(
        document,
        [
            (say("TT", "No."), 1.2),
            (say("Lĩnh vực", "Area"), 10.3),
            (say("Tự chấm", "Self score"), 2.5),
            (say("Tối đa", "Maximum"), 2.5),
        ],
        ["{{ a.code }}", "{{ a.title }}", "{{ a.score }}", "{{ a.max }}"],
        "a in self_areas",
    )
    layout.heading(document, say("II. GIẢI TRÌNH", "II. EXPLANATIONS"))
    layout.control(document, "{%p for c in explained %}")
    layout.body(
        document,
        say(
            "- Tiêu chí {{ c.code }} ({{ c.title }}): {{ c.text }}",
            "- Criterion {{ c.code }} ({{ c.title }}): {{ c.text }}",
        ),
    )
    layout.control(document, "{%p endfor %}")
    layout.heading(
        document, say("III. DANH MỤC TÀI LIỆU KIỂM CHỨNG", "III. LIST OF EVIDENCE DOCUMENTS")
    )
    layout.body(
        document,
        say(
            "Có {{ evidence_count }} tài liệu kiểm chứng; chi tiết từng tiêu chí tại Phụ lục "
            "kèm theo.",
            "{{ evidence_count }} evidence documents; the appendix gives each criterion's.",
        ),
    )
    layout.control(document, "{%p if evidence %}")  # no empty table
    layout.data_table(
        document,
        [
            (say("TT", "No."), 1.2),
            (say("Tài liệu", "Document"), 7.5),
            (say("Số, ngày, cơ quan ban hành", "Number, date, issuer"), 5.0),
            (say("Tiêu chí", "Criteria"), 2.8),
        ],
        ["{{ e.number }}", "{{ e.title }}", "{{ e.reference }}", "{{ e.codes }}"],
        "e in evidence",
    )
    layout.control(document, "{%p endif %}")
    layout.signature(document, language=language)
    return document


BUILDERS = {
    "results-letter": results_letter,
    "remediation-plan": remediation_plan,
    "annual-report": annual_report,
    "self-assessment": self_assessment,
}


def path_of(kind: str, language: str = "vi") -> Path:
    return TEMPLATES / language / f"{kind}.docx"


def build_all() -> list[Path]:
    written = []
    for language in layout.LANGUAGES:
        for kind, builder in BUILDERS.items():
            target = path_of(kind, language)
            target.parent.mkdir(parents=True, exist_ok=True)
            builder(language).save(target)
            written.append(target)
    return written


if __name__ == "__main__":
    for path in build_all():
        print(path)
