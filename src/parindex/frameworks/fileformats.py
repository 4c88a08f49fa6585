"""Framework files: YAML and XLSX, read into the file form and written from the canonical one.

XLSX layout (documented in docs/framework-format.md): a sheet `framework` of key/value rows,
one sheet `nodes` with a row per node, in tree order, with the columns of NODE_COLUMNS, and,
when the framework titles its named inputs, a sheet `inputs` (`name | title | unit |
indicator`).
A rule, the bands and the ranking are written in a cell as one line of YAML
(`{type: ratio_threshold, input: dossiers.postal_share, threshold: 0.1, empty: zero}`).

Limits, checked before anything is built (docs/framework-format.md, "Limits"): a YAML file of
at most MAX_YAML_BYTES, nested at most MAX_YAML_DEPTH levels and holding at most MAX_YAML_VALUES
values once its aliases are expanded, measured on the event stream, which is not recursive
(building a deeper document would overflow the stack); an XLSX checked as a zip like any table
(`parindex.tables.xlsx_problem`) with at most MAX_NODE_ROWS rows; and at most MAX_NODE_LEVELS
levels of nodes in either form.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

import yaml

from parindex.domain.framework import FRAMEWORK_KEYS, Framework, node_to_dict
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import plain
from parindex.domain.problems import Problem, Problems
from parindex.tables import MAX_HEADER_COLUMNS, file_problem, xlsx_problem

MAX_YAML_BYTES = 2 * 2**20
MAX_YAML_DEPTH = 32
MAX_YAML_VALUES = 1_000_000
MAX_NODE_LEVELS = 10
MAX_NODE_ROWS = 10_000
# libyaml when it is there: it measures a 2 MB document in a blink.
_EventLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

META_SHEET = "framework"
NODES_SHEET = "nodes"
INPUTS_SHEET = "inputs"
# The inputs sheet may be named in Vietnamese too (a province's own workbook).
INPUTS_SHEET_NAMES = (INPUTS_SHEET, "số liệu", "chỉ tiêu")
INPUT_COLUMNS = ("name", "title", "unit", "indicator")
META_KEYS = tuple(key for key in FRAMEWORK_KEYS if key not in ("nodes", "inputs"))
NODE_COLUMNS = (
    "code",
    "parent",
    "title",
    "max",
    "kind",
    "rule",
    "previous_code",
    "template",
    "guidance",
    "evidence",
)
YAML_CELLS = ("bands", "ranking", "rule")


class FrameworkFileError(Exception):
    def __init__(self, problems: Problems):
        super().__init__("; ".join(str(p) for p in problems.items[:100]))
        self.problems = problems


def _refuse(path: str, message: Message) -> FrameworkFileError:
    problems = Problems()
    problems.items.append(Problem(path, message))
    return FrameworkFileError(problems)


# --- YAML ------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper, value: Decimal):
    text = plain(value)
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _represent_decimal)


def dump_yaml(data: Any, *, flow: bool = False) -> str:
    if flow:
        return yaml.dump(
            data,
            Dumper=_Dumper,
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=True,
            width=10**6,
        ).strip()
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def read_yaml(path: Path) -> Any:
    problem = file_problem(path, MAX_YAML_BYTES)
    if problem is not None:
        raise _refuse("", problem)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse("", Message(N_("not UTF-8 text"))) from None
    except OSError as exc:
        raise _refuse("", _unreadable(path, exc)) from None
    return load_yaml_text(text, "")


def load_yaml_text(text: str, where: str) -> Any:
    """The YAML document in `text`, once its shape is known to be safe to build."""
    try:
        problem = yaml_shape_problem(text)
        if problem is not None:
            raise _refuse(where or problem[0], problem[1])
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = where or (f"line {mark.line + 1}" if mark else "")
        reason = str(getattr(exc, "problem", None) or exc)
        raise _refuse(at, Message(N_("not valid YAML: %(reason)s"), {"reason": reason})) from None
    except (ValueError, OverflowError) as exc:  # an integer of 5 000 digits, a 13th month …
        raise _refuse(
            where, Message(N_("not valid YAML: %(reason)s"), {"reason": str(exc)})
        ) from None
    except RecursionError:  # not expected after yaml_shape_problem; never a traceback
        raise _refuse(where, _too_deep()) from None


def _too_deep() -> Message:
    return Message(N_("nested more than %(max)s levels deep"), {"max": MAX_YAML_DEPTH})


def yaml_shape_problem(text: str) -> tuple[str, Message] | None:
    """(where, why) when the YAML document is nested deeper than MAX_YAML_DEPTH or holds more
    than MAX_YAML_VALUES values, aliases counted at the size of what they name (a few lines
    can alias their way to a billion values); an alias to a node that contains it is
    infinitely deep. Measured on the parser's event stream, which needs no recursion."""
    named: dict[str, tuple[int, int]] = {}  # anchor → (values, height) of what it names
    open_anchors: set[str] = set()
    stack: list[list] = []  # the open collections: [anchor, values, height below]
    total = 0
    for event in yaml.parse(text, Loader=_EventLoader):
        line = f"line {event.start_mark.line + 1}" if event.start_mark else ""
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            stack.append([event.anchor, 1, 0])
            if event.anchor:
                open_anchors.add(event.anchor)
            if len(stack) > MAX_YAML_DEPTH:
                return line, _too_deep()
            continue
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            anchor, values, height = stack.pop()
            height += 1
            open_anchors.discard(anchor)
        elif isinstance(event, yaml.ScalarEvent):
            anchor, values, height = event.anchor, 1, 0
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                return line, _too_deep()
            anchor = None
            values, height = named.get(event.anchor, (1, 0))
        else:  # stream and document boundaries
            continue
        if anchor:
            named[anchor] = (values, height)
        if len(stack) + height > MAX_YAML_DEPTH:
            return line, _too_deep()
        if stack:
            stack[-1][1] += values
            stack[-1][2] = max(stack[-1][2], height)
            values = stack[0][1]
        else:
            total += values
            values = total
        if values > MAX_YAML_VALUES:
            return line, Message(
                N_("more than %(count)s values, aliases counted in full"),
                {"count": MAX_YAML_VALUES},
            )
    return None


def _unreadable(path: Path, exc: OSError) -> Message:
    return Message(
        N_("%(name)s cannot be read: %(reason)s"),
        {"name": path.name, "reason": exc.strerror or str(exc)},
    )


# --- XLSX ------------------------------------------------------------------------------------


def write_xlsx(framework: Framework, path: Path) -> None:
    import xlsxwriter

    data = framework.to_dict()
    book = xlsxwriter.Workbook(str(path))
    try:
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        meta = book.add_worksheet(META_SHEET)
        meta.write_row(0, 0, ("key", "value"), bold)
        row = 1
        for key in META_KEYS:
            if key not in data:
                continue
            meta.write_string(row, 0, key)
            _write_cell(meta, row, 1, key, data[key])
            row += 1
        meta.set_column(0, 0, 14)
        meta.set_column(1, 1, 90)

        sheet = book.add_worksheet(NODES_SHEET)
        sheet.write_row(0, 0, NODE_COLUMNS, bold)
        sheet.freeze_panes(1, 0)
        row = 1
        for node in framework.walk():
            item = node_to_dict(node)
            item["parent"] = node.parent.code if node.parent else None
            for column, key in enumerate(NODE_COLUMNS):
                value = item.get(key)
                if value is None:
                    continue
                _write_cell(
                    sheet,
                    row,
                    column,
                    key,
                    value,
                    wrap if key in ("title", "guidance", "evidence") else None,
                )
            row += 1
        for column, width in enumerate((8, 8, 60, 7, 9, 60, 10, 9, 40, 40)):
            sheet.set_column(column, column, width)
        sheet.autofilter(0, 0, max(row - 1, 1), len(NODE_COLUMNS) - 1)

        if data.get("inputs"):
            inputs = book.add_worksheet(INPUTS_SHEET)
            # The indicator column only when the framework binds an input to a register.
            bound = any(item.get("indicator") for item in data["inputs"].values())
            inputs.write_row(0, 0, INPUT_COLUMNS if bound else INPUT_COLUMNS[:3], bold)
            inputs.freeze_panes(1, 0)
            for row, (name, item) in enumerate(data["inputs"].items(), start=1):
                inputs.write_string(row, 0, name)
                inputs.write_string(row, 1, item["title"], wrap)
                if item.get("unit"):
                    inputs.write_string(row, 2, item["unit"])
                if item.get("indicator"):
                    inputs.write_string(row, 3, item["indicator"])
            inputs.set_column(0, 0, 30)
            inputs.set_column(1, 1, 70)
            inputs.set_column(2, 2, 14)
            inputs.set_column(3, 3, 30)
    finally:
        book.close()


def _write_cell(sheet, row, column, key, value, cell_format=None):
    if key in YAML_CELLS:
        sheet.write_string(row, column, dump_yaml(value, flow=True))
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, Decimal):
        # Exact for the ≤ 15 significant digits that points carry.
        sheet.write_number(row, column, float(value))
    elif isinstance(value, int):
        sheet.write_number(row, column, value)
    else:
        sheet.write_string(row, column, str(value), cell_format)


def read_xlsx(path: Path) -> dict[str, Any]:
    """The XLSX as the nested file form, each node tagged with its row for error paths."""
    problem = file_problem(path) or xlsx_problem(path)
    if problem is not None:
        raise _refuse("", problem)
    from openpyxl import load_workbook

    problems = Problems()
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or non-Excel file
        problems.error("", N_("cannot be read as an Excel file: %(reason)s"), reason=str(exc))
        raise FrameworkFileError(problems) from None
    try:
        names = {sheet.title.strip().lower(): sheet for sheet in book.worksheets}
        if META_SHEET not in names or NODES_SHEET not in names:
            problems.error("", N_("an Excel framework has the sheets “framework” and “nodes”"))
            raise FrameworkFileError(problems)
        meta_rows = _sheet_rows(names[META_SHEET], 2)
        node_rows = _sheet_rows(names[NODES_SHEET], len(NODE_COLUMNS))
        inputs_sheets = [names[name] for name in INPUTS_SHEET_NAMES if name in names]
        input_rows = _sheet_rows(inputs_sheets[0], len(INPUT_COLUMNS)) if inputs_sheets else []
    except FrameworkFileError:
        raise
    except Exception as exc:  # a damaged sheet: bad XML, a bad cell
        problems.error("", N_("cannot be read as an Excel file: %(reason)s"), reason=str(exc))
        raise FrameworkFileError(problems) from None
    finally:
        book.close()

    data: dict[str, Any] = {}
    for number, row in enumerate(meta_rows[1:], start=2):
        key = _text(row[0] if row else None)
        if not key:
            continue
        value = row[1] if len(row) > 1 else None
        where = f"{META_SHEET}!B{number}"
        if key in YAML_CELLS:
            value = _yaml_cell(value, where, problems)
        data[key] = _cell(value)
    if not node_rows:
        problems.error(NODES_SHEET, N_("the sheet is empty"))
        raise FrameworkFileError(problems)
    header = [_text(h).lower() if h is not None else "" for h in node_rows[0]]
    for required in ("code", "title", "max"):
        if required not in header:
            problems.error(NODES_SHEET, N_("the column “%(column)s” is missing"), column=required)
    unknown = [h for h in header if h and h not in NODE_COLUMNS]
    for column in unknown:
        problems.error(NODES_SHEET, N_("unknown column “%(column)s”"), column=column)
    if problems.errors:
        raise FrameworkFileError(problems)

    by_code: dict[str, dict] = {}
    top: list[dict] = []
    for number, row in enumerate(node_rows[1:], start=2):
        cells = {name: row[i] if i < len(row) else None for i, name in enumerate(header) if name}
        if all(_cell(v) is None for v in cells.values()):
            continue
        where = f"row {number}"
        node: dict[str, Any] = {"_where": where}
        for name in NODE_COLUMNS:
            if name == "parent":
                continue
            value = cells.get(name)
            if name == "rule":
                value = _yaml_cell(value, f"{NODES_SHEET} {where} › rule", problems)
            elif name == "template":
                value = _flag(value, f"{NODES_SHEET} {where} › template", problems)
            elif name in ("code", "previous_code"):
                value = _code(value)
            value = _cell(value)
            if value is not None:
                node[name] = value
        parent = _code(cells.get("parent"))
        if parent:
            holder = by_code.get(parent)
            if holder is None:
                problems.error(
                    f"{NODES_SHEET} {where} › parent",
                    N_("parent “%(code)s” is not on an earlier row"),
                    code=parent,
                )
                continue
            holder.setdefault("children", []).append(node)
        else:
            top.append(node)
        code = node.get("code")
        if isinstance(code, str):
            by_code.setdefault(code, node)
    if problems.errors:
        raise FrameworkFileError(problems)
    data["nodes"] = top
    inputs = _inputs_rows(input_rows, problems)
    if problems.errors:
        raise FrameworkFileError(problems)
    if inputs:
        data["inputs"] = inputs
    return data


def _inputs_rows(rows: list[list], problems: Problems) -> dict[str, dict]:
    """The inputs sheet as the `inputs:` mapping (name → {title, unit, indicator}); the domain
    checks the names, titles and indicators, a row naming an input twice is refused here."""
    if not rows:
        return {}
    header = [_text(h).lower() if h is not None else "" for h in rows[0]]
    for required in ("name", "title"):
        if required not in header:
            problems.error(INPUTS_SHEET, N_("the column “%(column)s” is missing"), column=required)
    for column in (h for h in header if h and h not in INPUT_COLUMNS):
        problems.error(INPUTS_SHEET, N_("unknown column “%(column)s”"), column=column)
    if problems.errors:
        return {}
    found: dict[str, dict] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {name: row[i] if i < len(row) else None for i, name in enumerate(header) if name}
        if all(_cell(v) is None for v in cells.values()):
            continue
        name = _text(cells.get("name"))
        if name in found:
            problems.error(f"{INPUTS_SHEET} row {number}", N_("%(name)s appears twice"), name=name)
            continue
        title = _cell(cells.get("title"))
        item = {"title": title if title is None or isinstance(title, str) else _code(title)}
        unit = _cell(cells.get("unit"))
        if unit is not None:
            item["unit"] = str(unit)
        indicator = _cell(cells.get("indicator"))
        if indicator is not None:
            item["indicator"] = str(indicator)
        found[name] = item
    return found


def _sheet_rows(sheet, columns: int) -> list[list]:
    """The rows of a sheet, at most MAX_NODE_ROWS, each cut after the header's last cell (a
    sheet's dimension may claim all 16 384 columns). `columns` is the least width read."""
    rows = sheet.iter_rows(max_row=MAX_NODE_ROWS + 2, max_col=MAX_HEADER_COLUMNS, values_only=True)
    header = next(rows, None)
    if header is None:
        return []
    header = list(header)
    while header and header[-1] is None:
        header.pop()
    width = max(len(header), columns)
    found = [header, *(list(row[:width]) for row in islice(rows, MAX_NODE_ROWS + 1))]
    if len(found) > MAX_NODE_ROWS + 1:
        raise _refuse(
            sheet.title,
            Message(N_("more than %(count)s rows: split the file"), {"count": MAX_NODE_ROWS}),
        )
    return found


def _text(value) -> str:
    return str(value).strip() if value is not None else ""


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _code(value):
    """Codes typed as numbers in Excel (1.1) come back as floats; read them as text."""
    if isinstance(value, float):
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _cell(value)


def _flag(value, where, problems):
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "false", "no", "0", "không", "sai"):
        return None
    if text in ("true", "yes", "1", "x", "có", "đúng"):
        return True
    problems.error(where, N_("true or false"))
    return None


def _yaml_cell(value, where, problems):
    if not isinstance(value, str) or not value.strip():
        return value
    try:
        return load_yaml_text(value, where)
    except FrameworkFileError as exc:
        problems.items.extend(exc.problems.items)
        return None


# --- entry points ----------------------------------------------------------------------------


def read_framework_file(path: str | Path) -> Any:
    """The file form of a framework file, by extension. Raises FrameworkFileError."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise _refuse("", Message(N_("file not found: %(path)s"), {"path": str(path)}))
    if suffix in (".yaml", ".yml"):
        data = read_yaml(path)
    elif suffix in (".xlsx", ".xlsm"):
        data = read_xlsx(path)
    else:
        problems = Problems()
        problems.error("", N_("a framework file is .yaml, .yml or .xlsx"))
        raise FrameworkFileError(problems)
    _check_node_levels(data)
    return data


def _check_node_levels(data: Any) -> None:
    """Refuse a tree deeper than MAX_NODE_LEVELS (an XLSX can chain parents without end),
    walking it without recursion, before anything recursive builds it."""
    if not isinstance(data, Mapping) or not isinstance(data.get("nodes"), list):
        return
    pending = [(node, 1) for node in data["nodes"]]
    while pending:
        node, level = pending.pop()
        if not isinstance(node, Mapping):
            continue
        if level > MAX_NODE_LEVELS:
            code = node.get("code")
            where = node.get("_where")
            label = str(code) if code is not None else "?"
            raise _refuse(
                f"{label} ({where})" if where else label,
                Message(N_("more than %(max)s levels of nodes"), {"max": MAX_NODE_LEVELS}),
            )
        children = node.get("children")
        if isinstance(children, list):
            pending.extend((child, level + 1) for child in children)


def write_framework_file(framework: Framework, path: str | Path) -> None:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        header = f"# {framework.title}\n"
        path.write_text(header + dump_yaml(framework.to_dict()), encoding="utf-8")
    elif suffix == ".xlsx":
        write_xlsx(framework, path)
    else:
        raise ValueError(Message(N_("a framework file is .yaml, .yml or .xlsx")).render())


def to_jsonable(data: Any) -> Any:
    """The canonical form with Decimals as strings, for a JSON column."""
    if isinstance(data, Decimal):
        return plain(data)
    if isinstance(data, dict):
        return {key: to_jsonable(value) for key, value in data.items()}
    if isinstance(data, list):
        return [to_jsonable(value) for value in data]
    return data
