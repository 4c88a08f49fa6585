"""The shipped templates, built from the Decree 30 layout (`layout`): one .docx per kind and
language under `documents/templates/<language>/<kind>.docx`. They are files like any an
administrator uploads in their place; this module only makes them again after a change:

    .venv/bin/python -m parindex.documents.builtin      # writes every shipped template

The fixed wording is the usual one of a Sở's documents; every figure is a placeholder filled
from the data (`parindex.documents.context`)."""

from __future__ import annotations

from pathlib import Path

from parindex.documents import layout

TEMPLATES = Path(__file__).resolve().parent / "templates"


def results_letter():
    """Công văn quán triệt kết quả Chỉ số CCHC và rút kinh nghiệm (Mẫu 1.5)."""
    document = layout.new_document()
    layout.header(document, letter=True)
    layout.addressed(document, "{{ addressees }}")
    layout.body(
        document,
        "Căn cứ kết quả Chỉ số cải cách hành chính năm {{ year }} ({{ framework_title }}) "
        "được công bố, {{ unit_name }} thông báo kết quả và đề nghị các phòng, đơn vị "
        "quán triệt, rút kinh nghiệm như sau:",
    )
    layout.heading(document, "1. Kết quả chung")
    layout.body(
        document,
        "Năm {{ year }}, {{ unit_name }} đạt {{ total }}/{{ max }} điểm ({{ index }}%), "
        "xếp loại {{ band }}, xếp thứ {{ rank }}/{{ ranked }} {{ group_name }}.",
    )
    layout.body(
        document,
        "{% if penalty_zero %}Tổng điểm {{ total }} điểm, gồm: điểm các tiêu chí thẩm định "
        "{{ appraisal }} điểm, điểm điều tra xã hội học {{ survey }} điểm{% if bonus_any %}"
        " và điểm thưởng {{ bonus }} điểm{% endif %}.{% else %}Điểm các tiêu chí thẩm định "
        "đạt {{ appraisal }} điểm; điểm điều tra xã hội học đạt {{ survey }} điểm; điểm thưởng "
        "{{ bonus }} điểm; điểm trừ {{ penalty }} điểm.{% endif %}",
    )
    layout.body(
        document,
        "{% if previous %}Tổng điểm năm {{ year }} đạt {{ total }} điểm, {{ change_text }} so "
        "với năm {{ previous_year }} ({{ previous_total }} điểm).{% else %}Chưa có kết quả năm "
        "trước để so sánh.{% endif %}",
    )
    layout.body(
        document,
        "{% if previous_rank %}Năm {{ year }}, {{ unit_name }} xếp thứ {{ rank }}/{{ ranked }}, "
        "{{ rank_change_text }} so với năm {{ previous_year }} (xếp thứ {{ previous_rank }}/"
        "{{ previous_ranked }}).{% endif %}",
    )
    layout.heading(document, "2. Kết quả từng lĩnh vực")
    layout.picture(document, "{{ chart }}")
    layout.data_table(
        document,
        [
            ("TT", 1.4),
            ("Lĩnh vực", 6.6),
            ("Điểm đạt", 2.0),
            ("Tối đa", 1.8),
            ("Xếp hạng", 2.0),
            ("So với năm trước", 2.7),
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
    layout.heading(document, "3. Các tiêu chí bị mất điểm và hướng khắc phục")
    layout.control(document, "{%p for item in losses %}")
    layout.body(
        document,
        "- Tiêu chí {{ item.code }} ({{ item.title }}): mất {{ item.lost }} điểm; "
        "hướng khắc phục: {{ item.direction }}",
    )
    layout.control(document, "{%p endfor %}")
    layout.heading(document, "4. Đề nghị")
    layout.body(
        document,
        "Đề nghị Trưởng các phòng, Thủ trưởng các đơn vị thuộc Sở quán triệt kết quả trên đến "
        "toàn thể công chức, viên chức; rà soát nguyên nhân mất điểm thuộc lĩnh vực được giao "
        "và thực hiện nghiêm Kế hoạch khắc phục của Sở; kết quả thực hiện báo cáo về Văn phòng "
        "Sở để tổng hợp.",
    )
    layout.signature(document)
    return document


def remediation_plan():
    """Kế hoạch khắc phục tồn tại, hạn chế Chỉ số CCHC (Mẫu 1.4, văn bản có tên loại)."""
    document = layout.new_document()
    layout.header(document)
    layout.title(document)
    layout.heading(document, "I. MỤC ĐÍCH, YÊU CẦU")
    layout.body(
        document,
        "1. Khắc phục kịp thời các tồn tại, hạn chế làm mất điểm trong Chỉ số cải cách hành "
        "chính năm {{ year }}; nâng cao chất lượng, hiệu quả công tác cải cách hành chính.",
    )
    layout.body(
        document,
        "2. Phân công cụ thể nội dung, đơn vị chủ trì, đơn vị phối hợp và thời hạn hoàn thành; "
        "có tài liệu kiểm chứng kết quả thực hiện.",
    )
    layout.heading(document, "II. TỒN TẠI, HẠN CHẾ")
    layout.body(
        document,
        "Năm {{ year }}, {{ unit_name }} đạt {{ total }}/{{ max }} điểm, xếp thứ {{ rank }}/"
        "{{ ranked }}; các tiêu chí bị mất {{ lost }} điểm, trong đó:",
    )
    layout.control(document, "{%p for area in lost_areas %}")
    layout.body(
        document, "- Lĩnh vực {{ area.code }} ({{ area.title }}): mất {{ area.lost }} điểm."
    )
    layout.control(document, "{%p endfor %}")
    layout.heading(document, "III. NHIỆM VỤ, GIẢI PHÁP VÀ PHÂN CÔNG THỰC HIỆN")
    layout.data_table(
        document,
        [
            ("TT", 1.1),
            ("Tiêu chí", 1.5),
            ("Nội dung khắc phục", 5.9),
            ("Chủ trì", 2.1),
            ("Phối hợp", 2.1),
            ("Thời hạn", 2.8),
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
    layout.heading(document, "IV. TỔ CHỨC THỰC HIỆN")
    layout.body(
        document,
        "1. Các phòng, đơn vị được giao chủ trì tổ chức thực hiện nội dung được phân công, cập "
        "nhật tiến độ và tài liệu kiểm chứng trên hệ thống theo dõi Chỉ số CCHC.",
    )
    layout.body(
        document,
        "2. Văn phòng Sở theo dõi, đôn đốc, tổng hợp kết quả thực hiện, báo cáo Giám đốc Sở.",
    )
    layout.signature(document)
    return document


def annual_report():
    """Báo cáo kết quả thực hiện công tác CCHC năm (Mẫu 1.4): the one-stop table and the
    other registers' figures, over the year."""
    document = layout.new_document()
    layout.header(document)
    layout.title(document)
    layout.body(
        document,
        "{{ unit_name }} báo cáo kết quả thực hiện công tác cải cách hành chính năm {{ year }} "
        "(số liệu {{ period }}) như sau:",
    )
    layout.heading(document, "I. KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH")
    layout.body(
        document,
        "{% if published %}Năm {{ year }}, {{ unit_name }} đạt {{ total }}/{{ max }} điểm "
        "({{ index }}%), xếp loại {{ band }}, xếp thứ {{ rank }}/{{ ranked }} {{ group_name }}."
        "{% else %}Kết quả Chỉ số cải cách hành chính năm {{ year }} chưa được công bố."
        "{% endif %}",
    )
    layout.heading(document, "II. KẾT QUẢ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH")
    layout.body(
        document,
        "{% if dossiers %}Tổng số hồ sơ tiếp nhận là {{ dossiers.col3 }} hồ sơ, gồm "
        "{{ dossiers.col4 }} hồ sơ trực tuyến, {{ dossiers.col5 }} hồ sơ trực tiếp và qua bưu "
        "chính và {{ dossiers.col6 }} hồ sơ kỳ trước chuyển sang.{% else %}Sổ theo dõi hồ sơ "
        "chưa có số liệu của năm {{ year }}.{% endif %}",
    )
    layout.body(
        document,
        "{% if dossiers %}Đã giải quyết {{ dossiers.col7 }} hồ sơ, trong đó trước hạn "
        "{{ dossiers.col8 }} hồ sơ ({{ dossiers.early_pct }}%), đúng hạn {{ dossiers.col9 }} "
        "hồ sơ ({{ dossiers.on_time_pct }}%), quá hạn {{ dossiers.col10 }} hồ sơ "
        "({{ dossiers.late_pct }}%); đang giải quyết {{ dossiers.col11 }} hồ sơ, trong đó "
        "trong hạn {{ dossiers.col12 }} hồ sơ, quá hạn {{ dossiers.col13 }} hồ sơ.{% endif %}",
    )
    layout.body(
        document,
        "{% if dossiers %}Hồ sơ trực tuyến là {{ dossiers.online }}/{{ dossiers.received }} hồ "
        "sơ ({{ dossiers.online_pct }}%); hồ sơ tiếp nhận hoặc trả kết quả qua dịch vụ bưu "
        "chính công ích là {{ dossiers.postal }}/{{ dossiers.postal_of }} hồ sơ "
        "({{ dossiers.postal_pct }}%).{% endif %}",
    )
    layout.heading(document, "III. CÁC KẾT QUẢ KHÁC")
    layout.control(document, "{%p for o in others %}")
    layout.body(document, "- Tỷ lệ {{ o.label }}: {{ o.done }}/{{ o.total }} ({{ o.pct }}%).")
    layout.control(document, "{%p endfor %}")
    layout.body(
        document,
        "{% if not others %}Các sổ theo dõi chưa có số liệu khác của năm {{ year }}.{% endif %}",
    )
    layout.signature(document)
    return document


def self_assessment():
    """Báo cáo kết quả tự đánh giá, chấm điểm Chỉ số CCHC (Mẫu 1.4), with its appendix workbook
    (every criterion with its self score, explanation and evidence)."""
    document = layout.new_document()
    layout.header(document)
    layout.title(document)
    layout.body(
        document,
        "{{ unit_name }} báo cáo kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính "
        "năm {{ year }} theo {{ framework_title }} như sau:",
    )
    layout.heading(document, "I. KẾT QUẢ TỰ ĐÁNH GIÁ")
    layout.body(document, "Tổng điểm tự đánh giá: {{ self_total }}/{{ max }} điểm; từng lĩnh vực:")
    layout.data_table(
        document,
        [("TT", 1.2), ("Lĩnh vực", 10.3), ("Tự chấm", 2.5), ("Tối đa", 2.5)],
        ["{{ a.code }}", "{{ a.title }}", "{{ a.score }}", "{{ a.max }}"],
        "a in self_areas",
    )
    layout.heading(document, "II. GIẢI TRÌNH")
    layout.control(document, "{%p for c in explained %}")
    layout.body(document, "- Tiêu chí {{ c.code }} ({{ c.title }}): {{ c.text }}")
    layout.control(document, "{%p endfor %}")
    layout.heading(document, "III. DANH MỤC TÀI LIỆU KIỂM CHỨNG")
    layout.body(
        document,
        "Có {{ evidence_count }} tài liệu kiểm chứng; chi tiết từng tiêu chí tại Phụ lục kèm theo.",
    )
    layout.data_table(
        document,
        [("TT", 1.2), ("Tài liệu", 7.5), ("Số, ngày, cơ quan ban hành", 5.0), ("Tiêu chí", 2.8)],
        ["{{ e.number }}", "{{ e.title }}", "{{ e.reference }}", "{{ e.codes }}"],
        "e in evidence",
    )
    layout.signature(document)
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
    for kind, builder in BUILDERS.items():
        target = path_of(kind)
        target.parent.mkdir(parents=True, exist_ok=True)
        builder().save(target)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in build_all():
        print(path)
