"""Framework files: YAML and XLSX, exact round trips, imports and immutability."""

from decimal import Decimal

import pytest
from helpers import framework_data, make_framework
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from parindex.domain.framework import load_framework
from parindex.frameworks.fileformats import read_framework_file, write_framework_file
from parindex.frameworks.models import Framework, Node
from parindex.frameworks.services import (
    CREATED,
    REPLACED,
    RETITLED,
    UNCHANGED,
    FrameworkRefused,
    export_framework,
    import_framework,
    publish_framework,
    validate_file,
)
from parindex.library import FRAMEWORK_FILES


def round_trip(framework, path):
    write_framework_file(framework, path)
    again, problems = load_framework(read_framework_file(path))
    assert again is not None, [str(p) for p in problems.errors]
    return again


@pytest.mark.parametrize("name", FRAMEWORK_FILES)
@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_library_frameworks_round_trip_exactly(library, tmp_path, name, suffix):
    framework, _ = validate_file(library / name)
    again = round_trip(framework, tmp_path / f"out{suffix}")
    assert again == framework
    assert again.to_dict() == framework.to_dict()
    # And a second trip changes nothing either (the export is canonical).
    assert round_trip(again, tmp_path / f"again{suffix}").to_dict() == framework.to_dict()


def test_the_xlsx_is_readable_by_a_spreadsheet_reader(library, tmp_path):
    framework, _ = validate_file(library / "so-2021.yaml")
    path = tmp_path / "so-2021.xlsx"
    write_framework_file(framework, path)
    book = load_workbook(path)
    nodes = book["nodes"]
    header = [c.value for c in nodes[1]]
    assert header[:6] == ["code", "parent", "title", "max", "kind", "rule"]
    rows = {row[0]: row for row in nodes.iter_rows(min_row=2, values_only=True)}
    assert rows["1"][3] == 11.5
    assert rows["8.3"][1] == "8"
    assert "ratio_threshold" in rows["8.3"][5]
    meta = {row[0]: row[1] for row in book["framework"].iter_rows(min_row=2, values_only=True)}
    assert meta["code"] == "so-2021" and meta["year"] == 2021


def test_xlsx_problems_name_the_row(tmp_path):
    framework = make_framework()
    path = tmp_path / "bad.xlsx"
    write_framework_file(framework, path)
    book = load_workbook(path)
    sheet = book["nodes"]
    sheet["D3"] = "hai"  # the max of 1.1
    book.save(path)
    _, problems = validate_file(path)
    assert any(
        "1.1 (row 3) › max" in p.path and "malformed" in str(p.message) for p in problems.errors
    ), [str(p) for p in problems.items]


def test_codes_typed_as_numbers_in_excel_are_read_as_text(tmp_path):
    framework = make_framework()
    path = tmp_path / "numbers.xlsx"
    write_framework_file(framework, path)
    book = load_workbook(path)
    sheet = book["nodes"]
    sheet["A3"] = 1.1  # someone retyped the code as a number
    book.save(path)
    again, _ = validate_file(path)
    assert again == framework


titles = st.from_regex(
    r"[A-Za-zÀ-ỹ0-9\"'#][A-Za-zÀ-ỹ0-9 ,.:%#()\"'–-]{0,30}[A-Za-zÀ-ỹ0-9.%)]", fullmatch=True
)
points = st.decimals(min_value=0, max_value=20, places=2)
rules = st.sampled_from(
    [
        None,
        {"type": "manual", "step": Decimal("0.25")},
        {"type": "pass_fail"},
        {"type": "ratio", "numerator": "a.n", "denominator": "a.d", "empty": "not_applicable"},
        {"type": "deduction", "input": "r.late", "per": Decimal("0.25"), "floor": Decimal(-1)},
    ]
)


def drawn_rules(areas):
    return [c["rule"] for a in areas for c in a["children"] if c.get("rule")]


def rule_inputs(rule):
    return [rule[key] for key in ("input", "numerator", "denominator") if key in rule]


@st.composite
def frameworks(draw):
    areas = []
    for a in range(1, draw(st.integers(1, 4)) + 1):
        children = []
        for c in range(1, draw(st.integers(1, 4)) + 1):
            rule = draw(rules)
            node = {"code": f"{a}.{c}", "title": draw(titles), "max": draw(points)}
            if rule:
                node["rule"] = rule
                if rule["type"] == "deduction":
                    node["max"] = Decimal(0)
            children.append(node)
        areas.append(
            {
                "code": str(a),
                "title": f"Lĩnh vực {a}",
                "children": children,
                **({"max": draw(points)} if draw(st.booleans()) else {}),
            }
        )
    data = {
        "code": "h-2024",
        "title": "Hypothesis",
        "year": 2024,
        "nodes": areas,
        "bonus_max": draw(points),
    }
    read = sorted({name for rule in drawn_rules(areas) for name in rule_inputs(rule)})
    titled = draw(st.lists(st.sampled_from(read), unique=True)) if read else []
    if titled:
        data["inputs"] = {
            name: {
                "title": draw(titles),
                **(
                    {"unit": draw(st.sampled_from(["hồ sơ", "%", "triệu đồng"]))}
                    if draw(st.booleans())
                    else {}
                ),
            }
            for name in titled
        }
    framework, problems = load_framework(data)
    assert framework is not None, [str(p) for p in problems.errors]
    return framework


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(frameworks(), st.sampled_from([".yaml", ".xlsx"]))
def test_any_framework_round_trips(tmp_path, framework, suffix):
    again = round_trip(framework, tmp_path / f"h{suffix}")
    assert again == framework
    assert again.declared_inputs == framework.declared_inputs
    assert list(again.declared_inputs) == list(framework.declared_inputs)  # order kept


# --- named inputs with titles -------------------------------------------------------------------

TITLED = {
    "dossiers.received": {"title": "Số hồ sơ TTHC đã tiếp nhận", "unit": "hồ sơ"},
    "dossiers.postal": {"title": "Số hồ sơ qua bưu chính công ích", "unit": "hồ sơ"},
    "reports.late": {"title": "Số báo cáo nộp trễ hạn"},
}


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_the_inputs_section_round_trips_exactly(tmp_path, suffix):
    framework = make_framework(inputs=TITLED)
    again = round_trip(framework, tmp_path / f"t{suffix}")
    assert again.to_dict()["inputs"] == TITLED
    assert list(again.to_dict()["inputs"]) == list(TITLED)
    assert again.to_dict() == framework.to_dict()


def test_the_xlsx_has_an_inputs_sheet_a_person_can_edit(tmp_path):
    path = tmp_path / "t.xlsx"
    write_framework_file(make_framework(inputs=TITLED), path)
    book = load_workbook(path)
    sheet = book["inputs"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("name", "title", "unit")
    assert rows[1] == ("dossiers.received", "Số hồ sơ TTHC đã tiếp nhận", "hồ sơ")
    assert rows[3] == ("reports.late", "Số báo cáo nộp trễ hạn", None)
    # A province renames the sheet in Vietnamese and retitles an input: both are read.
    sheet.title = "Số liệu"
    sheet["B4"] = "Số báo cáo CCHC gửi chậm"
    book.save(path)
    again, problems = validate_file(path)
    assert again is not None, [str(p) for p in problems.items]
    assert again.input_title("reports.late") == "Số báo cáo CCHC gửi chậm"


def test_an_xlsx_inputs_sheet_with_problems_names_them(tmp_path):
    path = tmp_path / "t.xlsx"
    write_framework_file(make_framework(inputs=TITLED), path)
    book = load_workbook(path)
    sheet = book["inputs"]
    sheet["A3"] = "dossiers.received"  # twice
    sheet["B4"] = None  # no title
    book.save(path)
    _, problems = validate_file(path)
    text = [f"{p.path}: {p.message}" for p in problems.errors]
    assert any("inputs row 3" in t and "twice" in t for t in text), text


def test_an_xlsx_without_titles_has_no_inputs_sheet(tmp_path):
    path = tmp_path / "t.xlsx"
    write_framework_file(make_framework(), path)
    assert "inputs" not in load_workbook(path).sheetnames
    assert "inputs" not in round_trip(make_framework(), path).to_dict()


# --- import, publish, export (database) --------------------------------------------------------


@pytest.fixture
def yaml_file(tmp_path):
    def make(**overrides):
        path = tmp_path / "fw.yaml"
        write_framework_file(make_framework(**overrides), path)
        return path

    return make


@pytest.mark.django_db
def test_import_creates_the_framework_and_its_nodes(yaml_file):
    framework, outcome, _ = import_framework(yaml_file())
    assert outcome == CREATED
    assert framework.nodes.count() == 8
    leaf = Node.objects.get(framework=framework, code="1.2")
    assert leaf.parent.code == "1" and leaf.is_leaf and leaf.rule_type == "ratio_threshold"
    assert Node.objects.get(framework=framework, code="1").max_points == 6


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(yaml_file):
    path = yaml_file()
    first, _, _ = import_framework(path)
    again, outcome, _ = import_framework(path)
    assert outcome == UNCHANGED and again.pk == first.pk and again.updated_at == first.updated_at


@pytest.mark.django_db
def test_a_draft_can_be_replaced_but_a_published_framework_never_changes(yaml_file):
    import_framework(yaml_file())
    _, outcome, _ = import_framework(yaml_file(title="Bộ chỉ số thử (sửa)"))
    assert outcome == REPLACED
    publish_framework("t-2024")
    with pytest.raises(FrameworkRefused, match="published and cannot change"):
        import_framework(yaml_file(title="Sửa lần nữa"))
    assert Framework.objects.get(code="t-2024").title == "Bộ chỉ số thử (sửa)"
    _, outcome, _ = import_framework(yaml_file(title="Bộ chỉ số thử (sửa)"))
    assert outcome == UNCHANGED


@pytest.mark.django_db
def test_the_order_of_the_inputs_survives_the_database(yaml_file):
    """The order of the `inputs:` section is the order people fill the figures in; a JSON
    column (PostgreSQL's jsonb) does not keep the order of an object's keys, so the stored
    document holds the section as a list."""
    framework, _, _ = import_framework(yaml_file(inputs=TITLED))
    assert [item["name"] for item in framework.document["inputs"]] == list(TITLED)
    assert list(Framework.objects.get(code="t-2024").domain.declared_inputs) == list(TITLED)
    reordered = dict(reversed(list(TITLED.items())))
    _, outcome, _ = import_framework(yaml_file(inputs=reordered))
    assert outcome == REPLACED
    stored = Framework.objects.get(code="t-2024").domain
    assert list(stored.declared_inputs) == list(reordered)
    assert stored.to_dict()["inputs"] == reordered  # exported as the file has it


@pytest.mark.django_db
def test_a_published_framework_may_gain_input_titles_but_nothing_else(yaml_file):
    """Titles of named inputs are wording: they change no score, so a published framework
    (the demo's, loaded before the titles existed) takes them; anything else is refused."""
    import_framework(yaml_file(), publish=True)
    _, outcome, _ = import_framework(yaml_file(inputs=TITLED), publish=True)
    assert outcome == RETITLED
    stored = Framework.objects.get(code="t-2024")
    assert stored.is_published and stored.domain.input_title("reports.late") == (
        "Số báo cáo nộp trễ hạn"
    )
    with pytest.raises(FrameworkRefused, match="published and cannot change"):
        import_framework(yaml_file(inputs=TITLED, title="Sửa tên bộ"))
    _, outcome, _ = import_framework(yaml_file(inputs=TITLED))
    assert outcome == UNCHANGED


@pytest.mark.django_db
def test_an_invalid_file_is_refused_with_its_problems(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("code: t-2024\ntitle: x\nyear: 2024\nnodes:\n  - {code: '1', title: a}\n")
    with pytest.raises(FrameworkRefused) as refused:
        import_framework(path)
    assert "a leaf needs a max" in str(refused.value)
    assert not Framework.objects.exists()


@pytest.mark.django_db
def test_export_writes_what_was_imported(yaml_file, tmp_path):
    import_framework(yaml_file())
    for suffix in (".yaml", ".xlsx"):
        out = tmp_path / f"export{suffix}"
        export_framework("t-2024", out)
        assert validate_file(out)[0] == make_framework()


def test_broken_yaml_is_reported_with_its_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("code: x\nnodes: [\n")
    framework, problems = validate_file(path)
    assert framework is None and "line" in problems.errors[0].path


def test_framework_data_helper_is_valid():
    assert load_framework(framework_data())[0] is not None
