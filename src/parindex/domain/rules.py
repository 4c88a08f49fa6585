"""The scoring rule engine: one class per rule type, pure and exact (`Decimal` throughout).

A leaf criterion carries one rule. A rule either checks points that a person typed (manual,
pass/fail, levels, survey) or computes points from *named inputs* such as
`dossiers.postal_share` (every other type). Inputs are plain numbers keyed by a dotted name; a
later capability binds the names to registers, and for now the scores file supplies them.

Conventions (see `docs/framework-format.md` in the project for the file format):
- a rule's score lies in `bounds(node_max)`; deductions use a maximum of 0 and negative points;
- every rule that computes a ratio has an explicit `empty` policy for an empty denominator:
  `zero` (0 points), `full` (the node's max), `not_applicable` (dropped from both the points
  and the maximum) or `manual` (a person must type the points);
- nothing is rounded here: rounding happens only when results are shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import NumberError, format_number, format_percent, parse_decimal
from parindex.domain.problems import Problems, join_path

ZERO = Decimal(0)
ONE = Decimal(1)

INPUT_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")

# Kinds of named inputs, from the loosest to the strictest.
NUMBER = "number"  # any number
RATIO = "ratio"  # a share between 0 and 1 (a "12%" in a file is read as 0.12)
COUNT = "count"  # a whole number ≥ 0
FLAG = "flag"  # 1 = met, 0 = not met

EMPTY_POLICIES = ("zero", "full", "not_applicable", "manual")

# Outcome statuses
SCORED = "scored"
NOT_APPLICABLE = "not_applicable"
NEEDS_POINTS = "needs_points"  # the `manual` empty policy: someone has to type the points
MISSING = "missing"  # inputs not supplied yet


@dataclass(frozen=True)
class Outcome:
    status: str
    points: Decimal | None = None
    missing: tuple[str, ...] = ()

    @classmethod
    def scored(cls, points: Decimal) -> Outcome:
        return cls(SCORED, points)


_EMPTY = object()  # sentinel: a ratio whose denominator is zero

# How a rule names its inputs in its description: input name → title ("Số hồ sơ đã tiếp
# nhận"). None: by their names (a rule on its own knows no titles; the framework does).
Titles = Callable[[str], str] | None


def named(name: str, title: Titles) -> str:
    """An input as a sentence names it: its title with the first letter in lower case (the
    title stands mid-sentence; an acronym such as SIPAS keeps its capitals), else its name."""
    text = title(name) if title is not None else name
    if text != name and len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


class ParamReader:
    """Reads a rule's parameters, records each problem with its path, rejects unknown keys."""

    def __init__(self, params: Mapping[str, Any], path: str, problems: Problems):
        self.params = dict(params)
        self.path = path
        self.problems = problems
        self.used = {"type"}

    def _at(self, name: str) -> str:
        return join_path(self.path, f"rule.{name}")

    def has(self, name: str) -> bool:
        return self.params.get(name) is not None

    def decimal(self, name, *, required=False, default=None, low=None, high=None):
        self.used.add(name)
        raw = self.params.get(name)
        if raw is None:
            if required:
                self.problems.error(self._at(name), N_("required parameter is missing"))
            return default
        try:
            value = parse_decimal(raw)
        except NumberError as exc:
            self.problems.error(
                self._at(name),
                N_("malformed number: %(reason)s"),
                reason=Message(exc.msgid, exc.params),
            )
            return default
        if (low is not None and value < low) or (high is not None and value > high):
            self.problems.error(
                self._at(name),
                N_("must be between %(low)s and %(high)s"),
                low=format_number(low) if low is not None else "−∞",
                high=format_number(high) if high is not None else "+∞",
            )
        return value

    def name(self, name, *, required=False):
        self.used.add(name)
        raw = self.params.get(name)
        if raw is None:
            if required:
                self.problems.error(self._at(name), N_("required parameter is missing"))
            return None
        if not isinstance(raw, str) or not INPUT_NAME.match(raw) or len(raw) > 100:
            self.problems.error(
                self._at(name),
                N_(
                    "“%(value)s” is not an input name (lowercase words joined by dots, "
                    "e.g. dossiers.postal_share)"
                ),
                value=raw,
            )
            return None
        return raw

    def choice(self, name, choices, *, required=False, default=None):
        self.used.add(name)
        raw = self.params.get(name)
        if raw is None:
            if required:
                self.problems.error(
                    self._at(name),
                    N_("required parameter is missing; one of %(choices)s"),
                    choices=", ".join(choices),
                )
            return default
        if raw not in choices:
            self.problems.error(
                self._at(name),
                N_("“%(value)s” is not one of %(choices)s"),
                value=raw,
                choices=", ".join(choices),
            )
            return default
        return raw

    def raw(self, name):
        self.used.add(name)
        return self.params.get(name)

    def error(self, name: str, msgid: str, **params) -> None:
        self.problems.error(self._at(name), msgid, **params)

    def finish(self) -> None:
        for key in self.params:
            if key not in self.used:
                self.problems.error(self._at(str(key)), N_("unknown parameter"))


@dataclass(frozen=True)
class Source:
    """Where a data-driven rule reads its figure: one named input, or numerator ÷ denominator."""

    input: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    input_kind: str = RATIO

    @classmethod
    def read(cls, reader: ParamReader, input_kind: str) -> Source:
        name = reader.name("input")
        numerator = reader.name("numerator")
        denominator = reader.name("denominator")
        if name and (numerator or denominator):
            reader.error("input", N_("give either input or numerator and denominator, not both"))
        elif not name and not (numerator and denominator):
            if numerator or denominator:
                reader.error(
                    "denominator" if numerator else "numerator",
                    N_("numerator and denominator go together"),
                )
            else:
                reader.error(
                    "input", N_("required parameter is missing (or give numerator and denominator)")
                )
        return cls(name, numerator, denominator, input_kind)

    @property
    def is_fraction(self) -> bool:
        return self.denominator is not None

    def inputs(self) -> dict[str, str]:
        if self.input:
            return {self.input: self.input_kind}
        if self.numerator and self.denominator:
            return {self.numerator: COUNT, self.denominator: COUNT}
        return {}

    def value(self, values: Mapping[str, Decimal]):
        """The figure, `_EMPTY` for a zero denominator, or a tuple of missing input names."""
        missing = tuple(n for n in self.inputs() if values.get(n) is None)
        if missing:
            return missing
        if self.input:
            return values[self.input]
        denominator = values[self.denominator]
        if denominator == 0:
            return _EMPTY
        # A numerator above its denominator is a data slip; never score above 100 %.
        return min(ONE, values[self.numerator] / denominator)

    def describe(self, title: Titles = None) -> str | Message:
        if self.input:
            return named(self.input, title)
        return Message(
            N_("the ratio %(numerator)s / %(denominator)s"),
            {
                "numerator": named(self.numerator or "", title),
                "denominator": named(self.denominator or "", title),
            },
        )

    def describe_value(self, value: Decimal) -> str:
        """A threshold on the figure: a percentage for a ratio of two counts."""
        return format_percent(value * 100, 1) if self.is_fraction else format_number(value)

    def to_dict(self) -> dict:
        if self.input:
            return {"input": self.input}
        return {"numerator": self.numerator, "denominator": self.denominator}


class Rule:
    """Base class. Subclasses define TYPE, `read`, `to_dict` and the scoring methods."""

    TYPE: ClassVar[str]
    entered: ClassVar[bool] = False  # points are typed by a person rather than computed

    @classmethod
    def read(cls, reader: ParamReader) -> Rule:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_dict(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def inputs(self) -> dict[str, str]:
        return {}

    @property
    def data_driven(self) -> bool:
        return bool(self.inputs())

    def fractions(self) -> list[tuple[str, str]]:
        """(numerator, denominator) pairs read by this rule, for cross-checks on import."""
        source = getattr(self, "source", None)
        if isinstance(source, Source) and source.is_fraction:
            return [(source.numerator, source.denominator)]
        return []

    def bounds(self, node_max: Decimal) -> tuple[Decimal, Decimal]:
        return ZERO, node_max

    def check(self, node_max: Decimal, path: str, problems: Problems) -> None:
        """Checks that need the node's max (points above it, negative maxima …)."""

    def check_points(self, points: Decimal, node_max: Decimal) -> Message | None:
        """Why typed `points` are not acceptable for this rule, or None."""
        low, high = self.bounds(node_max)
        if points < low or points > high:
            return Message(
                N_("%(points)s is outside %(low)s … %(high)s"),
                {
                    "points": format_number(points),
                    "low": format_number(low),
                    "high": format_number(high),
                },
            )
        return None

    def evaluate(self, node_max: Decimal, values: Mapping[str, Decimal]) -> Outcome:
        """Points computed from inputs. Rules whose points are typed return MISSING."""
        return Outcome(MISSING)

    def describe(self, node_max: Decimal, title: Titles = None) -> Message:
        """The rule in plain words, for the people who score with it; `title` names the
        inputs (see `Node.describe`, which gives the framework's titles)."""
        return Message(N_("points from 0 to %(max)s"), {"max": format_number(node_max)})

    def _apply_empty(self, policy: str, node_max: Decimal) -> Outcome:
        if policy == "zero":
            return Outcome.scored(ZERO)
        if policy == "full":
            return Outcome.scored(node_max)
        if policy == "not_applicable":
            return Outcome(NOT_APPLICABLE)
        return Outcome(NEEDS_POINTS)


def _clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))


def _evaluate_source(
    source: Source, policy: str | None, rule: Rule, node_max: Decimal, values: Mapping[str, Decimal]
):
    figure = source.value(values)
    if isinstance(figure, tuple):
        return None, Outcome(MISSING, missing=figure)
    if figure is _EMPTY:
        return None, rule._apply_empty(policy or "zero", node_max)
    return figure, None


# --- rules whose points a person types ------------------------------------------------------


@dataclass(frozen=True)
class Manual(Rule):
    """Points typed by the unit or the appraiser, in [min, max], a multiple of `step`."""

    TYPE: ClassVar[str] = "manual"
    entered: ClassVar[bool] = True
    step: Decimal | None = None
    min: Decimal = ZERO

    @classmethod
    def read(cls, reader):
        step = reader.decimal("step", low=Decimal("0.0001"))
        low = reader.decimal("min", default=ZERO)
        return cls(step, low)

    def describe(self, node_max, title=None):
        if self.step:
            return Message(
                N_("points from %(min)s to %(max)s, in steps of %(step)s"),
                {
                    "min": format_number(self.min),
                    "max": format_number(node_max),
                    "step": format_number(self.step, 4),
                },
            )
        return Message(
            N_("points from %(min)s to %(max)s"),
            {"min": format_number(self.min), "max": format_number(node_max)},
        )

    def to_dict(self):
        data: dict[str, Any] = {"type": self.TYPE}
        if self.step is not None:
            data["step"] = self.step
        if self.min != 0:
            data["min"] = self.min
        return data

    def bounds(self, node_max):
        return self.min, node_max

    def check(self, node_max, path, problems):
        if self.min > node_max:
            problems.error(join_path(path, "rule.min"), N_("min is above the node's max"))

    def check_points(self, points, node_max):
        reason = super().check_points(points, node_max)
        if reason is None and self.step and (points / self.step) % 1 != 0:
            return Message(
                N_("%(points)s is not a multiple of the step %(step)s"),
                {"points": format_number(points, 4), "step": format_number(self.step, 4)},
            )
        return reason


@dataclass(frozen=True)
class PassFail(Rule):
    """Met → `pass_points` (default: the max); not met → `fail_points` (default 0, may be < 0).

    Typed as points (one of the two values), or computed from a 0/1 `input`."""

    TYPE: ClassVar[str] = "pass_fail"
    entered: ClassVar[bool] = True
    pass_points: Decimal | None = None
    fail_points: Decimal = ZERO
    input: str | None = None

    @classmethod
    def read(cls, reader):
        return cls(
            reader.decimal("pass_points"),
            reader.decimal("fail_points", default=ZERO),
            reader.name("input"),
        )

    def describe(self, node_max, title=None):
        points = {
            "yes": format_number(self.passed(node_max)),
            "no": format_number(self.fail_points),
        }
        if self.input:
            return Message(
                N_("met (%(input)s): %(yes)s; not met: %(no)s"),
                {**points, "input": named(self.input, title)},
            )
        return Message(N_("met: %(yes)s; not met: %(no)s"), points)

    def to_dict(self):
        data: dict[str, Any] = {"type": self.TYPE}
        if self.pass_points is not None:
            data["pass_points"] = self.pass_points
        if self.fail_points != 0:
            data["fail_points"] = self.fail_points
        if self.input:
            data["input"] = self.input
        return data

    def passed(self, node_max):
        return node_max if self.pass_points is None else self.pass_points

    def inputs(self):
        return {self.input: FLAG} if self.input else {}

    def bounds(self, node_max):
        return self.fail_points, self.passed(node_max)

    def check(self, node_max, path, problems):
        if self.passed(node_max) > node_max:
            problems.error(join_path(path, "rule.pass_points"), N_("above the node's max"))
        if self.fail_points > self.passed(node_max):
            problems.error(join_path(path, "rule.fail_points"), N_("above the pass points"))

    def check_points(self, points, node_max):
        if points not in (self.passed(node_max), self.fail_points):
            return Message(
                N_("pass/fail: %(points)s must be %(yes)s (met) or %(no)s (not met)"),
                {
                    "points": format_number(points),
                    "yes": format_number(self.passed(node_max)),
                    "no": format_number(self.fail_points),
                },
            )
        return None

    def evaluate(self, node_max, values):
        if not self.input:
            return Outcome(MISSING)
        flag = values.get(self.input)
        if flag is None:
            return Outcome(MISSING, missing=(self.input,))
        return Outcome.scored(self.passed(node_max) if flag >= 1 else self.fail_points)


@dataclass(frozen=True)
class Level:
    label: str
    points: Decimal


@dataclass(frozen=True)
class Levels(Rule):
    """One of N named levels, e.g. thực hiện tốt 2,5 / đầy đủ 2 / chưa đầy đủ 1 / không 0."""

    TYPE: ClassVar[str] = "levels"
    entered: ClassVar[bool] = True
    levels: tuple[Level, ...] = ()

    @classmethod
    def read(cls, reader):
        raw = reader.raw("levels")
        levels: list[Level] = []
        if not isinstance(raw, list) or not raw:
            reader.error("levels", N_("a list of {label, points} is required"))
            return cls(())
        for index, item in enumerate(raw, 1):
            at = f"levels[{index}]"
            if not isinstance(item, Mapping) or set(item) - {"label", "points"}:
                reader.error(at, N_("each level is {label, points}"))
                continue
            label = item.get("label")
            if not isinstance(label, str) or not label.strip():
                reader.error(at + ".label", N_("a level needs a label"))
                continue
            try:
                points = parse_decimal(item.get("points") if item.get("points") is not None else "")
            except NumberError as exc:
                reader.error(
                    at + ".points",
                    N_("malformed number: %(reason)s"),
                    reason=Message(exc.msgid, exc.params),
                )
                continue
            levels.append(Level(label.strip(), points))
        labels = [level.label for level in levels]
        if len(set(labels)) != len(labels):
            reader.error("levels", N_("level labels must be different"))
        points = [level.points for level in levels]
        if len(set(points)) != len(points):
            reader.error("levels", N_("two levels give the same points"))
        return cls(tuple(levels))

    def describe(self, node_max, title=None):
        return Message(
            N_("one of: %(levels)s"),
            {"levels": "; ".join(f"{lv.label} {format_number(lv.points)}" for lv in self.levels)},
        )

    def to_dict(self):
        return {
            "type": self.TYPE,
            "levels": [{"label": lv.label, "points": lv.points} for lv in self.levels],
        }

    def bounds(self, node_max):
        points = [level.points for level in self.levels] or [ZERO]
        return min(points), max(points)

    def check(self, node_max, path, problems):
        if self.levels and max(lv.points for lv in self.levels) > node_max:
            problems.error(
                join_path(path, "rule.levels"), N_("a level gives more than the node's max")
            )

    def check_points(self, points, node_max):
        if all(points != level.points for level in self.levels):
            return Message(
                N_("%(points)s is not one of the levels: %(levels)s"),
                {
                    "points": format_number(points),
                    "levels": "; ".join(
                        f"{lv.label} {format_number(lv.points)}" for lv in self.levels
                    ),
                },
            )
        return None

    def level_for(self, points: Decimal) -> Level | None:
        return next((level for level in self.levels if level.points == points), None)


@dataclass(frozen=True)
class Survey(Rule):
    """Points of the sociological survey (not self-scored): typed in [0, max], or the share of
    satisfied answers as `input` (points = max × share)."""

    TYPE: ClassVar[str] = "survey"
    entered: ClassVar[bool] = True
    input: str | None = None

    @classmethod
    def read(cls, reader):
        return cls(reader.name("input"))

    def describe(self, node_max, title=None):
        if self.input:
            return Message(
                N_("%(max)s × share of satisfied answers (%(input)s)"),
                {"max": format_number(node_max), "input": named(self.input, title)},
            )
        return Message(N_("survey points from 0 to %(max)s"), {"max": format_number(node_max)})

    def to_dict(self):
        data: dict[str, Any] = {"type": self.TYPE}
        if self.input:
            data["input"] = self.input
        return data

    def inputs(self):
        return {self.input: RATIO} if self.input else {}

    def evaluate(self, node_max, values):
        if not self.input:
            return Outcome(MISSING)
        share = values.get(self.input)
        if share is None:
            return Outcome(MISSING, missing=(self.input,))
        return Outcome.scored(node_max * _clamp(share, ZERO, ONE))


# --- rules computed from named inputs --------------------------------------------------------


def _read_empty(reader: ParamReader, required: bool) -> str | None:
    return reader.choice("empty", EMPTY_POLICIES, required=required)


@dataclass(frozen=True)
class Ratio(Rule):
    """max × ratio (e.g. 766 progress: 20 × on-time ÷ received)."""

    TYPE: ClassVar[str] = "ratio"
    source: Source = Source()
    empty: str = "zero"

    @classmethod
    def read(cls, reader):
        return cls(Source.read(reader, RATIO), _read_empty(reader, True) or "zero")

    def describe(self, node_max, title=None):
        return Message(
            N_("%(max)s × %(figure)s"),
            {"max": format_number(node_max), "figure": self.source.describe(title)},
        )

    def to_dict(self):
        return {"type": self.TYPE, **self.source.to_dict(), "empty": self.empty}

    def inputs(self):
        return self.source.inputs()

    def score(self, ratio: Decimal, node_max: Decimal) -> Decimal:
        return node_max * _clamp(ratio, ZERO, ONE)

    def evaluate(self, node_max, values):
        figure, outcome = _evaluate_source(self.source, self.empty, self, node_max, values)
        return outcome or Outcome.scored(self.score(figure, node_max))


@dataclass(frozen=True)
class RatioTarget(Ratio):
    """min(max, max × ratio ÷ target): full points from the target on (766: 80 %, 50 % …)."""

    TYPE: ClassVar[str] = "ratio_target"
    target: Decimal = ONE

    @classmethod
    def read(cls, reader):
        source = Source.read(reader, RATIO)
        target = reader.decimal(
            "target", required=True, default=ONE, low=Decimal("0.0001"), high=ONE
        )
        return cls(source, _read_empty(reader, True) or "zero", target)

    def describe(self, node_max, title=None):
        return Message(
            N_("%(max)s × %(figure)s ÷ %(target)s, at most %(max)s"),
            {
                "max": format_number(node_max),
                "figure": self.source.describe(title),
                "target": format_percent(self.target * 100, 1),
            },
        )

    def to_dict(self):
        return {**super().to_dict(), "target": self.target}

    def score(self, ratio, node_max):
        return min(node_max, node_max * _clamp(ratio, ZERO, ONE) / self.target)


@dataclass(frozen=True)
class RatioThreshold(Rule):
    """ratio ≥ threshold → pass_points (default: the max), else fail_points (default 0, may be
    negative: "online share below 30 % → −0,7")."""

    TYPE: ClassVar[str] = "ratio_threshold"
    source: Source = Source()
    threshold: Decimal = ZERO
    pass_points: Decimal | None = None
    fail_points: Decimal = ZERO
    empty: str = "zero"

    @classmethod
    def read(cls, reader):
        source = Source.read(reader, RATIO)
        threshold = reader.decimal("threshold", required=True, default=ZERO, low=ZERO, high=ONE)
        return cls(
            source,
            threshold,
            reader.decimal("pass_points"),
            reader.decimal("fail_points", default=ZERO),
            _read_empty(reader, True) or "zero",
        )

    def describe(self, node_max, title=None):
        return Message(
            N_("%(yes)s if %(figure)s ≥ %(threshold)s, otherwise %(no)s"),
            {
                "yes": format_number(self.passed(node_max)),
                "figure": self.source.describe(title),
                "threshold": format_percent(self.threshold * 100, 1),
                "no": format_number(self.fail_points),
            },
        )

    def to_dict(self):
        data: dict[str, Any] = {
            "type": self.TYPE,
            **self.source.to_dict(),
            "threshold": self.threshold,
        }
        if self.pass_points is not None:
            data["pass_points"] = self.pass_points
        if self.fail_points != 0:
            data["fail_points"] = self.fail_points
        data["empty"] = self.empty
        return data

    def passed(self, node_max):
        return node_max if self.pass_points is None else self.pass_points

    def inputs(self):
        return self.source.inputs()

    def bounds(self, node_max):
        return min(self.fail_points, self.passed(node_max), ZERO), node_max

    def check(self, node_max, path, problems):
        if self.passed(node_max) > node_max:
            problems.error(join_path(path, "rule.pass_points"), N_("above the node's max"))

    def evaluate(self, node_max, values):
        figure, outcome = _evaluate_source(self.source, self.empty, self, node_max, values)
        if outcome:
            return outcome
        return Outcome.scored(
            self.passed(node_max) if figure >= self.threshold else self.fail_points
        )


@dataclass(frozen=True)
class Band:
    min: Decimal
    points: Decimal


@dataclass(frozen=True)
class Bands(Rule):
    """Piecewise constant: the band with the highest `min` ≤ the figure gives the points
    (points may be negative); a figure below every band gets `else_points` (default 0)."""

    TYPE: ClassVar[str] = "bands"
    source: Source = Source()
    bands: tuple[Band, ...] = ()
    else_points: Decimal = ZERO
    empty: str | None = None

    @classmethod
    def read(cls, reader):
        source = Source.read(reader, NUMBER)
        raw = reader.raw("bands")
        bands: list[Band] = []
        if not isinstance(raw, list) or not raw:
            reader.error("bands", N_("a list of {min, points} is required"))
        else:
            for index, item in enumerate(raw, 1):
                at = f"bands[{index}]"
                if not isinstance(item, Mapping) or set(item) != {"min", "points"}:
                    reader.error(at, N_("each band is {min, points}"))
                    continue
                try:
                    bands.append(Band(parse_decimal(item["min"]), parse_decimal(item["points"])))
                except NumberError as exc:
                    reader.error(
                        at,
                        N_("malformed number: %(reason)s"),
                        reason=Message(exc.msgid, exc.params),
                    )
            mins = [band.min for band in bands]
            if len(set(mins)) != len(mins):
                reader.error("bands", N_("two bands start at the same value"))
        empty = _read_empty(reader, source.is_fraction)
        bands.sort(key=lambda band: band.min, reverse=True)
        return cls(source, tuple(bands), reader.decimal("else_points", default=ZERO), empty)

    def describe(self, node_max, title=None):
        return Message(
            N_("by bands of %(figure)s: %(bands)s; below: %(otherwise)s"),
            {
                "figure": self.source.describe(title),
                "bands": "; ".join(
                    f"≥ {self.source.describe_value(b.min)} → {format_number(b.points)}"
                    for b in self.bands
                ),
                "otherwise": format_number(self.else_points),
            },
        )

    def to_dict(self):
        data: dict[str, Any] = {
            "type": self.TYPE,
            **self.source.to_dict(),
            "bands": [{"min": b.min, "points": b.points} for b in self.bands],
        }
        if self.else_points != 0:
            data["else_points"] = self.else_points
        if self.empty is not None:
            data["empty"] = self.empty
        return data

    def inputs(self):
        return self.source.inputs()

    def bounds(self, node_max):
        points = [band.points for band in self.bands] + [self.else_points]
        return min(min(points), ZERO), node_max

    def check(self, node_max, path, problems):
        if any(band.points > node_max for band in self.bands) or self.else_points > node_max:
            problems.error(
                join_path(path, "rule.bands"), N_("a band gives more than the node's max")
            )

    def evaluate(self, node_max, values):
        figure, outcome = _evaluate_source(self.source, self.empty, self, node_max, values)
        if outcome:
            return outcome
        for band in self.bands:  # sorted by min, highest first
            if figure >= band.min:
                return Outcome.scored(band.points)
        return Outcome.scored(self.else_points)


@dataclass(frozen=True)
class Linear(Rule):
    """0 points at `lo`, the max at `hi`, a straight line between (clamped outside).
    `lo` above `hi` scores a figure where less is better (e.g. days late)."""

    TYPE: ClassVar[str] = "linear"
    source: Source = Source()
    lo: Decimal = ZERO
    hi: Decimal = ONE
    empty: str | None = None

    @classmethod
    def read(cls, reader):
        source = Source.read(reader, NUMBER)
        lo = reader.decimal("lo", required=True, default=ZERO)
        hi = reader.decimal("hi", required=True, default=ONE)
        if lo is not None and hi is not None and lo == hi:
            reader.error("hi", N_("lo and hi must differ"))
            hi = lo + 1
        return cls(source, lo, hi, _read_empty(reader, source.is_fraction))

    def describe(self, node_max, title=None):
        return Message(
            N_("0 at %(lo)s, %(max)s at %(hi)s of %(figure)s, linear between"),
            {
                "lo": self.source.describe_value(self.lo),
                "hi": self.source.describe_value(self.hi),
                "max": format_number(node_max),
                "figure": self.source.describe(title),
            },
        )

    def to_dict(self):
        data: dict[str, Any] = {
            "type": self.TYPE,
            **self.source.to_dict(),
            "lo": self.lo,
            "hi": self.hi,
        }
        if self.empty is not None:
            data["empty"] = self.empty
        return data

    def inputs(self):
        return self.source.inputs()

    def evaluate(self, node_max, values):
        figure, outcome = _evaluate_source(self.source, self.empty, self, node_max, values)
        if outcome:
            return outcome
        position = _clamp((figure - self.lo) / (self.hi - self.lo), ZERO, ONE)
        return Outcome.scored(node_max * position)


@dataclass(frozen=True)
class Deduction(Rule):
    """max(floor, base − per × count): "each late report −0,25, at most −1"."""

    TYPE: ClassVar[str] = "deduction"
    input: str = ""
    per: Decimal = ZERO
    base: Decimal = ZERO
    floor: Decimal = ZERO

    @classmethod
    def read(cls, reader):
        name = reader.name("input", required=True) or ""
        per = reader.decimal("per", required=True, default=ONE, low=Decimal("0.0001"))
        base = reader.decimal("base", default=ZERO)
        floor = reader.decimal("floor", required=True, default=ZERO)
        if floor is not None and base is not None and floor >= base:
            reader.error("floor", N_("floor must be below base"))
        return cls(name, per, base, floor)

    def describe(self, node_max, title=None):
        return Message(
            N_("%(base)s − %(per)s × %(input)s, not below %(floor)s"),
            {
                "base": format_number(self.base),
                "per": format_number(self.per, 4),
                "input": named(self.input, title),
                "floor": format_number(self.floor),
            },
        )

    def to_dict(self):
        data: dict[str, Any] = {"type": self.TYPE, "input": self.input, "per": self.per}
        if self.base != 0:
            data["base"] = self.base
        data["floor"] = self.floor
        return data

    def inputs(self):
        return {self.input: COUNT} if self.input else {}

    def bounds(self, node_max):
        return self.floor, self.base

    def check(self, node_max, path, problems):
        if self.base > node_max:
            problems.error(join_path(path, "rule.base"), N_("above the node's max"))

    def evaluate(self, node_max, values):
        count = values.get(self.input)
        if count is None:
            return Outcome(MISSING, missing=(self.input,))
        return Outcome.scored(max(self.floor, self.base - self.per * count))


@dataclass(frozen=True)
class ExternalIndex(Rule):
    """An index from elsewhere (SIPAS %, a 766 group score …) scaled to the node:
    min(max, max × value ÷ target), with `target` defaulting to `scale` (the index's top)."""

    TYPE: ClassVar[str] = "external_index"
    input: str = ""
    scale: Decimal = Decimal(100)
    target: Decimal | None = None

    @classmethod
    def read(cls, reader):
        name = reader.name("input", required=True) or ""
        scale = reader.decimal("scale", default=Decimal(100), low=Decimal("0.0001"))
        target = reader.decimal("target", low=Decimal("0.0001"))
        if target is not None and scale is not None and target > scale:
            reader.error("target", N_("target is above scale"))
        return cls(name, scale, target)

    def describe(self, node_max, title=None):
        return Message(
            N_("%(max)s × %(input)s ÷ %(target)s, at most %(max)s"),
            {
                "max": format_number(node_max),
                "input": named(self.input, title),
                "target": format_number(self.target or self.scale),
            },
        )

    def to_dict(self):
        data: dict[str, Any] = {"type": self.TYPE, "input": self.input}
        if self.scale != 100:
            data["scale"] = self.scale
        if self.target is not None:
            data["target"] = self.target
        return data

    def inputs(self):
        return {self.input: NUMBER} if self.input else {}

    def evaluate(self, node_max, values):
        value = values.get(self.input)
        if value is None:
            return Outcome(MISSING, missing=(self.input,))
        top = self.target or self.scale
        return Outcome.scored(node_max * _clamp(value / top, ZERO, ONE))


@dataclass(frozen=True)
class Part:
    rule: Rule
    max: Decimal
    weight: Decimal = ONE


@dataclass(frozen=True)
class Composite(Rule):
    """Σ of sub-rules (`sum`) or Σ weight × sub-rule (`weighted`), capped at the node's max.
    Parts compute from inputs; a part that is not applicable is left out and the others are
    scaled up so the node can still reach its max.
    E.g. 766 online services: min(2, 2·A/0,8) + 4·B + min(6, 6·C/0,5)."""

    TYPE: ClassVar[str] = "composite"
    parts: tuple[Part, ...] = ()
    mode: str = "sum"

    @classmethod
    def read(cls, reader):
        mode = reader.choice("mode", ("sum", "weighted"), default="sum")
        raw = reader.raw("parts")
        parts: list[Part] = []
        if not isinstance(raw, list) or not raw:
            reader.error("parts", N_("a list of parts {max, rule, weight} is required"))
            return cls((), mode)
        for index, item in enumerate(raw, 1):
            at = join_path(reader.path, f"rule.parts[{index}]")
            if (
                not isinstance(item, Mapping)
                or not {"max", "rule"} <= set(item)
                or set(item) - {"max", "rule", "weight"}
            ):
                reader.problems.error(at, N_("each part is {max, rule} with an optional weight"))
                continue
            sub = ParamReader(
                {"max": item["max"], "weight": item.get("weight")}, at, reader.problems
            )
            part_max = sub.decimal("max", required=True, default=ZERO, low=ZERO)
            weight = sub.decimal("weight", default=None)
            if mode == "weighted" and weight is None:
                sub.error("weight", N_("required parameter is missing"))
            if mode == "sum" and weight is not None:
                sub.error("weight", N_("weights are for mode: weighted"))
            rule = parse_rule(item["rule"], at, reader.problems)
            if rule is None:
                continue
            if not rule.data_driven:
                reader.problems.error(at, N_("a part must compute its points from inputs"))
            rule.check(part_max, at, reader.problems)
            parts.append(Part(rule, part_max, weight if weight is not None else ONE))
        return cls(tuple(parts), mode)

    def describe(self, node_max, title=None):
        parts = tuple(part.rule.describe(part.max, title) for part in self.parts)
        if self.mode == "weighted":
            parts = tuple(
                Message(
                    N_("%(weight)s × (%(part)s)"),
                    {"weight": format_number(part.weight, 4), "part": text},
                )
                for part, text in zip(self.parts, parts, strict=True)
            )
            return Message(
                N_("weighted sum of parts, at most %(max)s: %(parts)s"),
                {"max": format_number(node_max), "parts": parts},
            )
        return Message(
            N_("sum of parts, at most %(max)s: %(parts)s"),
            {"max": format_number(node_max), "parts": parts},
        )

    def to_dict(self):
        parts = []
        for part in self.parts:
            item: dict[str, Any] = {"max": part.max, "rule": part.rule.to_dict()}
            if self.mode == "weighted":
                item["weight"] = part.weight
            parts.append(item)
        data: dict[str, Any] = {"type": self.TYPE}
        if self.mode != "sum":
            data["mode"] = self.mode
        data["parts"] = parts
        return data

    def inputs(self):
        merged: dict[str, str] = {}
        for part in self.parts:
            merged.update(part.rule.inputs())
        return merged

    def fractions(self):
        return [pair for part in self.parts for pair in part.rule.fractions()]

    def bounds(self, node_max):
        low = sum((part.weight * part.rule.bounds(part.max)[0] for part in self.parts), ZERO)
        return min(low, ZERO), node_max

    def evaluate(self, node_max, values):
        total, reachable, missing, applicable = ZERO, ZERO, [], False
        for part in self.parts:
            outcome = part.rule.evaluate(part.max, values)
            if outcome.status == MISSING:
                missing.extend(outcome.missing)
            elif outcome.status == NEEDS_POINTS:
                return outcome
            elif outcome.status == SCORED:
                applicable = True
                total += part.weight * outcome.points
                reachable += part.weight * part.max
        if missing:
            return Outcome(MISSING, missing=tuple(dict.fromkeys(missing)))
        if not applicable:
            return Outcome(NOT_APPLICABLE)
        full = sum((part.weight * part.max for part in self.parts), ZERO)
        # Dropped parts shrink what can be reached; rescale so the node can still reach its max.
        if reachable < full and reachable > 0:
            total = total * full / reachable
        return Outcome.scored(min(node_max, total))


RULE_TYPES: dict[str, type[Rule]] = {
    cls.TYPE: cls
    for cls in (
        Manual,
        PassFail,
        Levels,
        Survey,
        Ratio,
        RatioTarget,
        RatioThreshold,
        Bands,
        Linear,
        Deduction,
        ExternalIndex,
        Composite,
    )
}


def parse_rule(data: Any, path: str, problems: Problems) -> Rule | None:
    """A rule from its file form, or None with the reasons recorded in `problems`."""
    if isinstance(data, str):
        data = {"type": data}
    if not isinstance(data, Mapping):
        problems.error(join_path(path, "rule"), N_("a rule is a mapping with a type"))
        return None
    kind = data.get("type")
    cls = RULE_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        problems.error(
            join_path(path, "rule.type"),
            N_("unknown rule type “%(type)s”; known: %(known)s"),
            type=kind,
            known=", ".join(RULE_TYPES),
        )
        return None
    before = len(problems.errors)
    reader = ParamReader(data, path, problems)
    rule = cls.read(reader)
    reader.finish()
    return rule if len(problems.errors) == before else None
