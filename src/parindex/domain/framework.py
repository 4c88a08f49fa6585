"""A framework (bộ tiêu chí) as plain data: loading from the file form, validating, and the
canonical form written back (so that import → export → import is exact).

The file form is a nested mapping (from YAML, or rebuilt from the XLSX sheet); see
`docs/framework-format.md` in the project.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import NumberError, format_number, parse_decimal
from parindex.domain.problems import Problems, join_path
from parindex.domain.rules import (
    COUNT,
    FLAG,
    INPUT_NAME,
    NUMBER,
    RATIO,
    Manual,
    Rule,
    Survey,
    parse_rule,
)

FRAMEWORK_CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NODE_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")

CRITERION = "criterion"
SURVEY = "survey"
NODE_KINDS = (CRITERION, SURVEY)

# Reserved codes in the scores file, outside the tree.
BONUS = "BONUS"
PENALTY = "PENALTY"
RESERVED_CODES = (BONUS, PENALTY)

# `previous_code: "-"` says a node has no counterpart in last year's framework.
NO_PREVIOUS = "-"

RANK_METHODS = ("competition", "dense")

# What the database stores: points below 100 000 with 4 decimals, node codes of 50 characters.
MAX_POINTS = Decimal(100_000)
MAX_CODE_LENGTH = 50

FRAMEWORK_KEYS = (
    "code",
    "title",
    "year",
    "previous",
    "decision",
    "bonus_max",
    "penalty_max",
    "bands",
    "ranking",
    "nodes",
    "inputs",
)
NODE_KEYS = (
    "code",
    "title",
    "max",
    "kind",
    "previous_code",
    "template",
    "guidance",
    "evidence",
    "rule",
    "children",
)


@dataclass(frozen=True)
class ClassBand:
    """A classification band (xếp loại): an index % from `min` up gets `label`."""

    min: Decimal
    label: str


# The `inputs:` section: each named input's title (and unit) for the people who enter it, and
# the indicator computed from the registers that fills it (`parindex.domain.indicators`).
INPUT_KEYS = ("title", "unit", "indicator")
MAX_INPUT_TITLE = 300
MAX_INPUT_UNIT = 50


@dataclass(frozen=True)
class InputInfo:
    """A named input as people see it: "Số hồ sơ giải quyết đúng hạn" (hồ sơ), not
    `dossiers.on_time`. `title` is the name itself when the framework gives none; `unit` is a
    label only (hồ sơ, nhiệm vụ, %, triệu đồng …), never a conversion. `kind` (count, ratio,
    flag, number: see `rules`) is decided by the rules that read the input; a ratio is stored
    as a share (0.97) and shown as a percentage. `indicator`: the register indicator bound to
    the input (`dossiers.postal` …), whose computed figure fills it (`registers.bindings`);
    empty when people type the figure."""

    name: str
    title: str
    unit: str = ""
    kind: str = NUMBER
    indicator: str = ""


@dataclass(frozen=True)
class Ranking:
    method: str = "competition"  # 1, 2, 2, 4; "dense" gives 1, 2, 2, 3
    precision: int = 3  # ranks compare the figures as published, rounded to this many decimals


@dataclass
class Node:
    code: str
    title: str
    max: Decimal | None = None  # None on an inner node: the sum of its children's maxima
    kind: str | None = None  # None: inherited from the parent (criterion at the top)
    rule: Rule | None = None  # leaves only; None means manual
    children: list[Node] = field(default_factory=list)
    previous_code: str | None = None
    template: bool = False  # wording or rule not verified; the province edits it
    guidance: str = ""  # how to score (hướng dẫn chấm)
    evidence: str = ""  # the evidence expected (tài liệu kiểm chứng)
    parent: Node | None = field(default=None, repr=False, compare=False)
    # The framework the node belongs to (set by `Framework`): its rule is described with the
    # framework's input titles.
    framework: Framework | None = field(default=None, repr=False, compare=False)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def effective_max(self) -> Decimal:
        if self.max is not None:
            return self.max
        return sum((child.effective_max for child in self.children), Decimal(0))

    @property
    def effective_kind(self) -> str:
        node: Node | None = self
        while node is not None:
            if node.kind:
                return node.kind
            node = node.parent
        return CRITERION

    @property
    def effective_rule(self) -> Rule:
        if self.rule is not None:
            return self.rule
        return Survey() if self.effective_kind == SURVEY else Manual()

    @property
    def path(self) -> str:
        codes, node = [], self
        while node is not None:
            codes.append(node.code)
            node = node.parent
        return join_path(*reversed(codes))

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def describe(self) -> Message:
        """The leaf's rule in plain words, its inputs named by their titles."""
        title = self.framework.input_title if self.framework is not None else None
        return self.effective_rule.describe(self.effective_max, title)


@dataclass
class Framework:
    code: str
    title: str
    year: int
    nodes: list[Node]
    previous: str | None = None
    decision: str = ""  # the issuing decision, e.g. "Quyết định số 123/QĐ-UBND"
    bonus_max: Decimal = Decimal(0)
    penalty_max: Decimal = Decimal(0)
    bands: list[ClassBand] = field(default_factory=list)
    ranking: Ranking = field(default_factory=Ranking)
    # The file's `inputs:` section as written (its order kept): titles and units by name.
    declared_inputs: dict[str, InputInfo] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for node in self.walk():
            node.framework = self

    def walk(self) -> Iterator[Node]:
        for node in self.nodes:
            yield from node.walk()

    def leaves(self) -> list[Node]:
        return [node for node in self.walk() if node.is_leaf]

    def node_map(self) -> dict[str, Node]:
        return {node.code: node for node in self.walk()}

    @property
    def max(self) -> Decimal:
        return sum((node.effective_max for node in self.nodes), Decimal(0))

    def inputs(self) -> dict[str, str]:
        """Every named input the rules read, with its kind (see `merge_kinds`)."""
        found: dict[str, str] = {}
        for leaf in self.leaves():
            for name, kind in leaf.effective_rule.inputs().items():
                found[name] = merge_kinds(found.get(name, NUMBER), kind) or kind
        return found

    @cached_property
    def inputs_info(self) -> dict[str, InputInfo]:
        """Every named input the rules read, with its title and unit (the title is the name
        when the `inputs:` section does not give one): in the order of the `inputs:` section,
        then the others in the order the rules read them."""
        kinds = self.inputs()
        order = [name for name in self.declared_inputs if name in kinds]
        order += [name for name in kinds if name not in self.declared_inputs]
        found = {}
        for name in order:
            kind = kinds[name]
            declared = self.declared_inputs.get(name)
            title, unit = (declared.title, declared.unit) if declared else (name, "")
            indicator = declared.indicator if declared else ""
            found[name] = InputInfo(name, title, unit, kind, indicator)
        return found

    @cached_property
    def bindings(self) -> dict[str, str]:
        """Named input → the register indicator that fills it, for the inputs a rule reads."""
        read = self.inputs()
        return {
            name: info.indicator
            for name, info in self.declared_inputs.items()
            if info.indicator and name in read
        }

    def input_title(self, name: str) -> str:
        """The title of a named input, or the name itself when the framework gives none."""
        info = self.declared_inputs.get(name)
        return info.title if info is not None else name

    def band_for(self, index_pct: Decimal | None) -> str | None:
        if index_pct is None:
            return None
        for band in self.bands:  # highest first
            if index_pct >= band.min:
                return band.label
        return None

    def to_dict(self) -> dict[str, Any]:
        """The canonical file form: keys in a fixed order, defaults left out."""
        data: dict[str, Any] = {"code": self.code, "title": self.title, "year": self.year}
        if self.previous:
            data["previous"] = self.previous
        if self.decision:
            data["decision"] = self.decision
        if self.bonus_max:
            data["bonus_max"] = self.bonus_max
        if self.penalty_max:
            data["penalty_max"] = self.penalty_max
        if self.bands:
            data["bands"] = [{"min": band.min, "label": band.label} for band in self.bands]
        if self.ranking != Ranking():
            data["ranking"] = {"method": self.ranking.method, "precision": self.ranking.precision}
        data["nodes"] = [node_to_dict(node) for node in self.nodes]
        if self.declared_inputs:
            data["inputs"] = {
                name: {
                    "title": info.title,
                    **({"unit": info.unit} if info.unit else {}),
                    **({"indicator": info.indicator} if info.indicator else {}),
                }
                for name, info in self.declared_inputs.items()
            }
        return data


def node_to_dict(node: Node) -> dict[str, Any]:
    data: dict[str, Any] = {"code": node.code, "title": node.title}
    if node.max is not None:
        data["max"] = node.max
    if node.kind:
        data["kind"] = node.kind
    if node.previous_code:
        data["previous_code"] = node.previous_code
    if node.template:
        data["template"] = True
    if node.guidance:
        data["guidance"] = node.guidance
    if node.evidence:
        data["evidence"] = node.evidence
    if node.rule is not None:
        data["rule"] = node.rule.to_dict()
    if node.children:
        data["children"] = [node_to_dict(child) for child in node.children]
    return data


def merge_kinds(a: str, b: str) -> str | None:
    """Two rules reading one input must agree on what it is; NUMBER yields to the other."""
    if a == b or b == NUMBER:
        return a
    if a == NUMBER:
        return b
    return None


# --- loading -------------------------------------------------------------------------------


def load_framework(data: Any) -> tuple[Framework | None, Problems]:
    """The framework in `data`, validated; None when there is any error.

    Every problem is reported with its path, not just the first one.
    """
    problems = Problems()
    if not isinstance(data, Mapping):
        problems.error("", N_("a framework file is a mapping with code, title, year and nodes"))
        return None, problems
    for key in data:
        if key not in FRAMEWORK_KEYS:
            problems.error(str(key), N_("unknown key"))

    code = data.get("code")
    if not isinstance(code, str) or not FRAMEWORK_CODE.match(code) or len(code) > 60:
        problems.error(
            "code", N_("a framework code is lowercase letters, digits and dashes, e.g. syt-2020")
        )
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.error("title", N_("required"))
    elif len(title.strip()) > 300:
        problems.error("title", N_("at most %(count)s characters"), count=300)
    year = data.get("year")
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year.strip())
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
        problems.error("year", N_("a year between 1990 and 2100 is required"))
    previous = data.get("previous")
    if previous is not None and (
        not isinstance(previous, str) or not FRAMEWORK_CODE.match(previous)
    ):
        problems.error(
            "previous",
            N_("a framework code is lowercase letters, digits and dashes, e.g. syt-2020"),
        )
    if previous is not None and previous == code:
        problems.error("previous", N_("a framework cannot be its own previous one"))
    decision = _text(data.get("decision"), "decision", problems)
    bonus_max = _number(data.get("bonus_max"), "bonus_max", problems, non_negative=True)
    penalty_max = _number(data.get("penalty_max"), "penalty_max", problems, non_negative=True)
    bands = _bands(data.get("bands"), problems)
    ranking = _ranking(data.get("ranking"), problems)
    declared = _declared_inputs(data.get("inputs"), problems)

    raw_nodes = data.get("nodes")
    nodes: list[Node] = []
    if not isinstance(raw_nodes, list) or not raw_nodes:
        problems.error("nodes", N_("a framework needs at least one node"))
    else:
        seen: dict[str, str] = {}
        nodes = [n for n in (_node(item, None, "", seen, problems) for item in raw_nodes) if n]

    framework = Framework(
        code=code if isinstance(code, str) else "",
        title=title.strip() if isinstance(title, str) else "",
        year=year if isinstance(year, int) else 0,
        nodes=nodes,
        previous=previous,
        decision=decision,
        bonus_max=bonus_max or Decimal(0),
        penalty_max=penalty_max or Decimal(0),
        bands=bands,
        ranking=ranking,
        declared_inputs=declared,
    )
    _check_inputs(framework, problems)
    if problems.errors:
        return None, problems
    return framework, problems


def _text(raw, path, problems) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        problems.error(path, N_("must be text"))
        return ""
    return raw.strip()


def _number(raw, path, problems, *, non_negative=False) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = parse_decimal(raw, percent=False)
    except NumberError as exc:
        problems.error(
            path, N_("malformed number: %(reason)s"), reason=Message(exc.msgid, exc.params)
        )
        return None
    if non_negative and value < 0:
        problems.error(path, N_("must not be negative"))
        return None
    if abs(value) >= MAX_POINTS or -value.as_tuple().exponent > 4:
        problems.error(path, N_("points are below 100,000 with at most 4 decimals"))
        return None
    return value


def _bands(raw, problems) -> list[ClassBand]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.error("bands", N_("a list of {min, label} is required"))
        return []
    bands = []
    for index, item in enumerate(raw, 1):
        at = f"bands[{index}]"
        if not isinstance(item, Mapping) or set(item) != {"min", "label"}:
            problems.error(at, N_("each band is {min, label}"))
            continue
        low = _number(item["min"], at + ".min", problems)
        label = _text(item["label"], at + ".label", problems)
        if not label:
            problems.error(at + ".label", N_("required"))
        if low is not None and label:
            bands.append(ClassBand(low, label))
    ordered = sorted(bands, key=lambda band: band.min, reverse=True)
    if ordered != bands:
        problems.error("bands", N_("list the bands from the highest min to the lowest"))
    if len({band.min for band in bands}) != len(bands):
        problems.error("bands", N_("two bands start at the same value"))
    if bands and bands[-1].min > 0:
        problems.warning(
            "bands", N_("an index below %(min)s gets no band"), min=format_number(bands[-1].min)
        )
    return ordered


def _declared_inputs(raw, problems) -> dict[str, InputInfo]:
    """The `inputs:` section: name → {title, unit} (or, as the database stores it to keep the
    order, a list of {name, title, unit})."""
    if raw is None:
        return {}
    if isinstance(raw, list) and all(isinstance(item, Mapping) and "name" in item for item in raw):
        names = [item["name"] for item in raw]
        if len(set(map(str, names))) == len(names):
            raw = {item["name"]: {k: v for k, v in item.items() if k != "name"} for item in raw}
    if not isinstance(raw, Mapping):
        problems.error("inputs", N_("inputs is a mapping of input names to {title, unit}"))
        return {}
    found: dict[str, InputInfo] = {}
    for name, item in raw.items():
        at = join_path("inputs", str(name))
        if not isinstance(name, str) or not INPUT_NAME.match(name) or len(name) > 100:
            problems.error(
                at,
                N_(
                    "“%(value)s” is not an input name (lowercase words joined by dots, "
                    "e.g. dossiers.postal_share)"
                ),
                value=name,
            )
            continue
        if not isinstance(item, Mapping):
            problems.error(at, N_("each input is {title, unit}"))
            continue
        for key in item:
            if key not in INPUT_KEYS:
                problems.error(join_path(at, str(key)), N_("unknown key"))
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            problems.error(join_path(at, "title"), N_("required"))
            continue
        if len(title.strip()) > MAX_INPUT_TITLE:
            problems.error(
                join_path(at, "title"), N_("at most %(count)s characters"), count=MAX_INPUT_TITLE
            )
            continue
        unit = _text(item.get("unit"), join_path(at, "unit"), problems)
        if len(unit) > MAX_INPUT_UNIT:
            problems.error(
                join_path(at, "unit"), N_("at most %(count)s characters"), count=MAX_INPUT_UNIT
            )
            continue
        indicator = _indicator(item.get("indicator"), join_path(at, "indicator"), problems)
        found[name] = InputInfo(name, title.strip(), unit, indicator=indicator)
    return found


def _indicator(raw, path: str, problems: Problems) -> str:
    """The `indicator:` of a named input: one of the indicators parindex computes from the
    registers (`parindex.domain.indicators.INDICATORS`), or "" when none is given."""
    if raw is None:
        return ""
    try:  # TEMPORARY (H5): until parindex.domain.indicators lands
        from parindex.domain.indicators import INDICATORS
    except ImportError:
        return raw.strip() if isinstance(raw, str) else ""

    if isinstance(raw, str) and raw.strip() in INDICATORS:
        return raw.strip()
    close = difflib.get_close_matches(str(raw).strip(), list(INDICATORS), n=1)
    if close:
        problems.error(
            path,
            N_(
                "“%(value)s” is not an indicator computed from the registers; "
                "did you mean %(close)s?"
            ),
            value=raw,
            close=close[0],
        )
    else:
        problems.error(
            path,
            N_("“%(value)s” is not an indicator computed from the registers; one of %(choices)s"),
            value=raw,
            choices=", ".join(INDICATORS),
        )
    return ""


def _ranking(raw, problems) -> Ranking:
    if raw is None:
        return Ranking()
    if not isinstance(raw, Mapping) or set(raw) - {"method", "precision"}:
        problems.error("ranking", N_("ranking is {method, precision}"))
        return Ranking()
    method = raw.get("method", "competition")
    if method not in RANK_METHODS:
        problems.error(
            "ranking.method",
            N_("“%(value)s” is not one of %(choices)s"),
            value=method,
            choices=", ".join(RANK_METHODS),
        )
        method = "competition"
    precision = raw.get("precision", 3)
    if not isinstance(precision, int) or isinstance(precision, bool) or not 0 <= precision <= 6:
        problems.error("ranking.precision", N_("a whole number of decimals from 0 to 6"))
        precision = 3
    return Ranking(method, precision)


def _node(
    raw, parent: Node | None, parent_path: str, seen: dict[str, str], problems: Problems
) -> Node | None:
    if not isinstance(raw, Mapping):
        problems.error(join_path(parent_path, "?"), N_("a node is a mapping with code and title"))
        return None
    code = raw.get("code")
    if isinstance(code, int | float) and not isinstance(code, bool):
        code = str(code)  # YAML reads an unquoted 1 or 1.1 as a number
    where = raw.get("_where")  # "row 12" when the node came from a spreadsheet
    label = code if isinstance(code, str) and code else "?"
    path = join_path(parent_path, f"{label} ({where})" if where else label)
    for key in raw:
        if key in NODE_KEYS or key == "_where":
            continue
        if isinstance(key, str) and not key.isidentifier():
            # `{title: Rà soát, đơn giản hóa, max: 1}` splits the title at its comma.
            problems.error(
                join_path(path, key),
                N_("unknown key: is it part of a title with a comma? Put such a title in quotes"),
            )
        else:
            problems.error(join_path(path, str(key)), N_("unknown key"))
    if not isinstance(code, str) or not NODE_CODE.match(code):
        problems.error(path, N_("a node code is letters, digits, dots, dashes or underscores"))
        code = label
    elif len(code) > MAX_CODE_LENGTH:
        problems.error(path, N_("at most %(count)s characters"), count=MAX_CODE_LENGTH)
    elif code in RESERVED_CODES:
        problems.error(path, N_("%(code)s is reserved for points outside the tree"), code=code)
    elif code in seen:
        problems.error(path, N_("duplicate code (also at %(other)s)"), other=seen[code])
    else:
        seen[code] = path
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.error(join_path(path, "title"), N_("required"))
        title = ""
    node_max = _number(raw.get("max"), join_path(path, "max"), problems)
    kind = raw.get("kind")
    if kind is not None and kind not in NODE_KINDS:
        problems.error(
            join_path(path, "kind"),
            N_("“%(value)s” is not one of %(choices)s"),
            value=kind,
            choices=", ".join(NODE_KINDS),
        )
        kind = None
    previous_code = raw.get("previous_code")
    if isinstance(previous_code, int | float) and not isinstance(previous_code, bool):
        previous_code = str(previous_code)
    if previous_code is not None and (
        not isinstance(previous_code, str)
        or not (previous_code == NO_PREVIOUS or NODE_CODE.match(previous_code))
    ):
        problems.error(join_path(path, "previous_code"), N_("a node code, or - for none"))
        previous_code = None
    template = raw.get("template", False)
    if not isinstance(template, bool):
        problems.error(join_path(path, "template"), N_("true or false"))
        template = False
    node = Node(
        code=code,
        title=title.strip(),
        max=node_max,
        kind=kind,
        previous_code=previous_code,
        template=template,
        guidance=_text(raw.get("guidance"), join_path(path, "guidance"), problems),
        evidence=_text(raw.get("evidence"), join_path(path, "evidence"), problems),
        parent=parent,
    )
    raw_children = raw.get("children")
    if raw_children is not None and (not isinstance(raw_children, list) or not raw_children):
        problems.error(join_path(path, "children"), N_("a non-empty list of nodes"))
        raw_children = None
    if raw_children:
        node.children = [
            c for c in (_node(item, node, path, seen, problems) for item in raw_children) if c
        ]
        if "rule" in raw:
            problems.error(
                join_path(path, "rule"),
                N_("only a leaf carries a rule; this node sums its children"),
            )
        if node_max is not None and node_max < 0:
            problems.error(join_path(path, "max"), N_("must not be negative"))
        children_max = sum((child.effective_max for child in node.children), Decimal(0))
        if node_max is not None and children_max != node_max:
            problems.warning(
                join_path(path, "max"),
                N_(
                    "children's maxima add up to %(sum)s, not %(max)s: the node is "
                    "capped at %(max)s"
                ),
                sum=format_number(children_max),
                max=format_number(node_max),
            )
    else:
        if "max" not in raw or raw.get("max") is None:
            problems.error(join_path(path, "max"), N_("a leaf needs a max"))
        elif node_max is not None and node_max < 0:
            problems.error(
                join_path(path, "max"),
                N_(
                    "must not be negative; give deductions a max "
                    "of 0 and negative points in the rule"
                ),
            )
        if "rule" in raw:
            node.rule = parse_rule(raw["rule"], path, problems)
        if (
            node.effective_kind == SURVEY
            and node.rule is not None
            and node.rule.entered
            and node.rule.TYPE != "survey"
        ):
            problems.error(
                join_path(path, "rule.type"),
                N_("a survey node is scored with the survey rule or from inputs"),
            )
        if node_max is not None:
            node.effective_rule.check(node_max, path, problems)
    return node


def _check_inputs(framework: Framework, problems: Problems) -> None:
    kinds: dict[str, tuple[str, str]] = {}
    codes = {node.code for node in framework.walk()}
    read = {name for leaf in framework.leaves() for name in leaf.effective_rule.inputs()}
    for name in framework.declared_inputs:
        if name not in read:
            problems.warning(join_path("inputs", name), N_("no rule reads %(name)s"), name=name)
    _check_bindings(framework, problems)
    for leaf in framework.leaves():
        for name, kind in leaf.effective_rule.inputs().items():
            if name in codes:
                problems.error(
                    leaf.path, N_("input %(name)s has the same name as a node"), name=name
                )
            if name in kinds:
                merged = merge_kinds(kinds[name][0], kind)
                if merged is None:
                    problems.error(
                        join_path(leaf.path, "rule"),
                        N_("input %(name)s is a %(kind)s here but a %(other)s at %(where)s"),
                        name=name,
                        kind=KIND_LABELS[kind],
                        other=KIND_LABELS[kinds[name][0]],
                        where=kinds[name][1],
                    )
                    continue
                kinds[name] = (merged, kinds[name][1])
            else:
                kinds[name] = (kind, leaf.code)


def _check_bindings(framework: Framework, problems: Problems) -> None:
    """A bound input is read as what its indicator computes: a count stays a count, a share
    a share (a rule reading it as a number takes either)."""
    bound = {name: info.indicator for name, info in framework.declared_inputs.items()}
    if not any(bound.values()):
        return
    try:  # TEMPORARY (H5): until parindex.domain.indicators lands
        from parindex.domain.indicators import INDICATORS
    except ImportError:
        return

    kinds = framework.inputs()
    for name, indicator in bound.items():
        info = INDICATORS.get(indicator)
        if info is None or name not in kinds:
            continue
        if info.kind in KIND_LABELS and merge_kinds(kinds[name], info.kind) is None:
            problems.error(
                join_path("inputs", name, "indicator"),
                N_(
                    "indicator %(indicator)s is a %(kind)s, but the rules read %(name)s "
                    "as a %(other)s"
                ),
                indicator=indicator,
                kind=KIND_LABELS[info.kind],
                name=name,
                other=KIND_LABELS[kinds[name]],
            )


KIND_LABELS = {
    NUMBER: Message(N_("number")),
    RATIO: Message(N_("ratio (0–1)")),
    COUNT: Message(N_("count")),
    FLAG: Message(N_("yes/no flag (1/0)")),
}
