"""`parindex framework validate`: every problem, each with its node path."""

import copy

import pytest
import yaml
from helpers import framework_data

from parindex.domain.framework import load_framework


def problems_of(data):
    framework, problems = load_framework(data)
    return framework, [(p.severity, p.path, str(p.message)) for p in problems.items]


def has(problems, severity, path, text):
    return any(s == severity and path in p and text in m for s, p, m in problems)


def test_a_good_framework_has_no_problem():
    framework, problems = problems_of(framework_data())
    assert framework is not None and problems == []
    assert framework.max == 20


def test_duplicate_codes_name_both_places():
    data = framework_data()
    data["nodes"][1]["children"][0]["code"] = "1.1"
    _, problems = problems_of(data)
    assert has(problems, "error", "2 › 1.1", "duplicate code (also at 1 › 1.1)")


def test_unknown_rule_type_and_bad_parameters():
    data = framework_data()
    data["nodes"][0]["children"][0]["rule"] = {"type": "magic"}
    data["nodes"][0]["children"][1]["rule"]["threshold"] = "mười"
    framework, problems = problems_of(data)
    assert framework is None
    assert has(problems, "error", "1 › 1.1 › rule.type", "unknown rule type “magic”")
    assert has(problems, "error", "1 › 1.2 › rule.threshold", "malformed number")


def test_a_leaf_without_max():
    data = framework_data()
    del data["nodes"][0]["children"][0]["max"]
    _, problems = problems_of(data)
    assert has(problems, "error", "1 › 1.1 › max", "a leaf needs a max")


def test_children_that_do_not_add_up_are_a_warning():
    data = framework_data()
    data["nodes"][0]["max"] = 5
    framework, problems = problems_of(data)
    assert framework is not None  # real sets sometimes cap
    assert has(problems, "warning", "1 › max", "add up to 6, not 5")


def test_malformed_numbers():
    data = framework_data(bonus_max="năm")
    data["nodes"][0]["children"][0]["max"] = "1,2,3"
    _, problems = problems_of(data)
    assert has(problems, "error", "bonus_max", "malformed number")
    assert has(problems, "error", "1 › 1.1 › max", "malformed number")


def test_vietnamese_decimal_commas_are_read():
    data = framework_data()
    data["nodes"][0]["children"][0]["max"] = "2,0"
    framework, _ = problems_of(data)
    assert framework is not None


@pytest.mark.parametrize(
    ("change", "path", "text"),
    [
        (lambda d: d.update(code="Bad Code"), "code", "lowercase"),
        (lambda d: d.update(year=1800), "year", "between 1990 and 2100"),
        (lambda d: d.update(colour="red"), "colour", "unknown key"),
        (
            lambda d: d.update(bands=[{"min": 50, "label": "B"}, {"min": 80, "label": "A"}]),
            "bands",
            "highest",
        ),
        (lambda d: d.update(previous="t-2024"), "previous", "its own previous"),
        (lambda d: d.update(ranking={"method": "olympic"}), "ranking.method", "not one of"),
        (lambda d: d["nodes"][0]["children"][0].update(code="BONUS"), "BONUS", "reserved"),
        (lambda d: d["nodes"][0].update(rule={"type": "manual"}), "1 › rule", "only a leaf"),
        (lambda d: d["nodes"][0]["children"][0].update(max=-1), "1.1 › max", "negative"),
        (
            lambda d: d["nodes"][0]["children"][0].update(
                rule={"type": "levels", "levels": [{"label": "A", "points": 5}]}
            ),
            "1.1 › rule.levels",
            "more than the node's max",
        ),
        (
            lambda d: d["nodes"][0]["children"][0].update(
                rule={"type": "ratio", "input": "dossiers.received", "empty": "zero"}
            ),
            "1.2 › rule",
            "is a count here but a ratio (0–1) at 1.1",
        ),
        (lambda d: d["nodes"][2].update(rule={"type": "manual"}), "XHH › rule.type", "survey node"),
    ],
)
def test_each_problem_names_its_place(change, path, text):
    data = copy.deepcopy(framework_data())
    change(data)
    framework, problems = problems_of(data)
    assert framework is None
    assert has(problems, "error", path, text), problems


def test_every_problem_is_reported_not_just_the_first():
    data = framework_data(code="X", year="soon")
    data["nodes"][0]["children"][0]["rule"] = {"type": "magic"}
    data["nodes"][1]["children"][0]["max"] = None
    _, problems = problems_of(data)
    assert len([p for p in problems if p[0] == "error"]) >= 4


def test_sizes_the_database_cannot_hold_are_refused():
    data = framework_data()
    data["nodes"][0]["children"][0]["code"] = "1." + "1" * 60
    data["nodes"][1]["children"][0]["max"] = 1_000_000
    data["nodes"][1]["children"][1]["max"] = "0.123456"
    _, problems = problems_of(data)
    assert has(problems, "error", "1.111", "at most 50 characters")
    assert has(problems, "error", "2.1 › max", "below 100,000")
    assert has(problems, "error", "2.2 › max", "at most 4 decimals")


# --- hostile or mistaken files: refused with a problem before anything is built -------------


def file_problems(path):
    from parindex.frameworks.fileformats import FrameworkFileError, read_framework_file

    with pytest.raises(FrameworkFileError) as refused:
        read_framework_file(path)
    return [(p.path, str(p.message)) for p in refused.value.problems.items]


def _deep_chain(levels: int) -> dict:
    data = framework_data()
    node = data["nodes"][0]["children"][0]
    for level in range(levels):
        child = {"code": f"1.1.{level}", "title": "x", "max": 2}
        node["children"] = [child]
        node.pop("rule", None)
        node = child
    return data


@pytest.mark.parametrize(
    ("text", "where", "expected"),
    [
        ("[" * 100_000, "line 1", "nested more than 32 levels deep"),
        ("a:\n" + "- " * 40 + "x\n", "line 2", "nested more than 32 levels deep"),
        ("nodes: &n [{code: a, title: b, children: *n}]\n", "line 1", "nested more than 32"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{b}: &{b} [*{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}]\n"
                for a, b in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            "line 6",
            "more than 1000000 values",
        ),
        ("code: x\nyear: " + "9" * 5000 + "\n", "", "not valid YAML: Exceeds the limit"),
        ("year: 2024-13-45\n", "", "not valid YAML: month must be in 1..12"),
        ("\xff\xfe", "", "not UTF-8"),
    ],
)
def test_a_hostile_yaml_is_refused_before_it_is_built(tmp_path, text, where, expected):
    path = tmp_path / "f.yaml"
    path.write_bytes(text.encode("latin-1") if text == "\xff\xfe" else text.encode())
    [(path_, message)] = file_problems(path)
    assert path_ == where and expected in message


def test_a_yaml_above_2_mb_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * (2 * 2**20) + "\n")
    [(_, message)] = file_problems(path)
    assert "too large" in message and "at most 2 MB" in message


def test_node_levels_are_capped_in_yaml_and_xlsx(tmp_path):
    from parindex.domain.framework import load_framework
    from parindex.frameworks.fileformats import read_framework_file, write_framework_file

    framework, problems = load_framework(_deep_chain(8))  # 10 levels: the most allowed
    assert framework is not None, [str(p) for p in problems.errors]
    for suffix in (".yaml", ".xlsx"):
        write_framework_file(framework, tmp_path / f"ok{suffix}")
        assert read_framework_file(tmp_path / f"ok{suffix}")["code"] == "t-2024"

    path = tmp_path / "deep.yaml"
    path.write_text(yaml.safe_dump(_deep_chain(9), allow_unicode=True))
    assert file_problems(path) == [("1.1.8", "more than 10 levels of nodes")]


def test_an_xlsx_parent_chain_of_any_length_is_refused_without_recursion(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "framework"
    for row in (["key", "value"], ["code", "t-2024"], ["title", "T"], ["year", 2024]):
        book.active.append(row)
    nodes = book.create_sheet("nodes")
    nodes.append(["code", "parent", "title", "max", "rule"])
    nodes.append(["N0", None, "x", 1, "[" * 5000])
    for level in range(1, 5000):
        nodes.append([f"N{level}", f"N{level - 1}", "x", 1])
    book.save(tmp_path / "deep.xlsx")
    problems = file_problems(tmp_path / "deep.xlsx")
    assert problems == [("nodes row 2 › rule", "nested more than 32 levels deep")]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("folder.yaml", "dir", "is not a file"),
        ("garbage.xlsx", bytes(range(256)) * 4, "not an Excel workbook"),
        ("empty.xlsx", b"", "not an Excel workbook"),
        ("missing.yaml", None, "file not found"),
    ],
)
def test_unreadable_framework_files(tmp_path, name, content, expected):
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    [(_, message)] = file_problems(path)
    assert expected in message


# --- the inputs section: titles of named inputs ------------------------------------------------


def test_inputs_get_titles_and_units_and_fall_back_to_their_names():
    data = framework_data(
        inputs={
            "dossiers.received": {"title": "Số hồ sơ TTHC đã tiếp nhận", "unit": "hồ sơ"},
            "reports.late": {"title": "Số báo cáo nộp trễ hạn"},
        }
    )
    framework, problems = problems_of(data)
    assert framework is not None and problems == []
    info = framework.inputs_info
    # The section's order first, then the inputs it does not title, as the rules read them.
    assert list(info)[:2] == ["dossiers.received", "reports.late"]
    assert set(info) == set(framework.inputs())
    assert info["dossiers.received"].title == "Số hồ sơ TTHC đã tiếp nhận"
    assert (info["dossiers.received"].unit, info["dossiers.received"].kind) == ("hồ sơ", "count")
    assert (info["reports.late"].unit, info["legal.done"].title) == ("", "legal.done")
    assert framework.input_title("dossiers.postal") == "dossiers.postal"


def test_an_input_no_rule_reads_is_a_warning():
    data = framework_data(inputs={"dossiers.lost": {"title": "Số hồ sơ thất lạc"}})
    framework, problems = problems_of(data)
    assert framework is not None
    assert has(problems, "warning", "inputs › dossiers.lost", "no rule reads dossiers.lost")
    assert "dossiers.lost" not in framework.inputs_info


@pytest.mark.parametrize(
    ("inputs", "path", "text"),
    [
        (["dossiers.received"], "inputs", "mapping of input names"),
        ({"Hồ sơ": {"title": "Hồ sơ"}}, "inputs › Hồ sơ", "not an input name"),
        ({"dossiers.received": "Số hồ sơ"}, "inputs › dossiers.received", "{title, unit}"),
        ({"dossiers.received": {"unit": "hồ sơ"}}, "dossiers.received › title", "required"),
        ({"dossiers.received": {"title": "  "}}, "dossiers.received › title", "required"),
        ({"dossiers.received": {"title": 12}}, "dossiers.received › title", "required"),
        ({"dossiers.received": {"title": "x" * 301}}, "received › title", "at most 300"),
        ({"dossiers.received": {"title": "Số", "unit": 5}}, "received › unit", "must be text"),
        ({"dossiers.received": {"title": "Số", "colour": 1}}, "received › colour", "unknown key"),
    ],
)
def test_bad_input_titles_are_errors_with_their_place(inputs, path, text):
    framework, problems = problems_of(framework_data(inputs=inputs))
    assert framework is None
    assert has(problems, "error", path, text), problems
