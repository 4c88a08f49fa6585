"""Numbers in a report that contradict each other (pure, no Django).

Real reports retype figures by hand and the figures drift: a rate that does not match its own
counts, parts that do not add up to their stated total, a "tăng" over two numbers that fell, a
score above its maximum, a rank beyond the number ranked. `check(text)` reads a text sentence
by sentence and returns a `Finding` for each such contradiction, with the sentence, the numbers
stated, the number computed and a suggested correction.

Number styles. Real documents mix them: "3.105 hồ sơ" is three thousand, "92.125/100 điểm" is
ninety-two and a bit, "98,75 %" is a decimal. A figure is read as every value its writing
allows (`readings`); a passage is a contradiction only if *no* choice of readings makes it
consistent, so that an ambiguous style never produces a finding by itself. A stated figure is
taken as rounded by its writer: a rate written with two decimals may differ from the exact one
by up to one unit of its last decimal.

What is not a figure: dates (15/3/2021, "ngày 05 tháng 02 năm 2026"), document numbers
(25/KH-SYT), years after "năm", codes of criteria after "tiêu chí".
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import product

from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import format_number

RATE = "rate"  # a stated rate that does not match its stated counts
SUM = "sum"  # parts that do not add up to their stated total
CHANGE = "change"  # a "tăng/giảm" that contradicts the two numbers it compares
SCORE = "score"  # "X/Y" points above the maximum
RANK = "rank"  # a rank beyond the number ranked
KINDS = (RATE, SUM, CHANGE, SCORE, RANK)
KIND_LABELS = {
    RATE: N_("a rate that does not match its counts"),
    SUM: N_("parts that do not add up to their total"),
    CHANGE: N_("an increase or decrease that contradicts its numbers"),
    SCORE: N_("a score above its maximum"),
    RANK: N_("a rank beyond the number ranked"),
}

NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_NUMBER = re.compile(rf"(?<![\w.,/-])({NUMBER})(?![\w/]|[.,]\d)")
# A fraction, not a date (15/3/2021) nor a document number (25/KH-SYT).
_FRACTION = re.compile(rf"(?<![\w.,/])({NUMBER})\s*/\s*({NUMBER})(?![\w/]|[.,]\d|\s*/|-[A-ZĐ])")
_PERCENT = re.compile(rf"(?<![\w.,/])({NUMBER})\s*(?:%|phần\s+trăm)")
_DATE = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}"
    r"|\btháng\s+\d{1,2}(?:/\d{4})?|\bquý\s+[IV]+(?:/\d{4})?",
    re.IGNORECASE,
)
_SYMBOL = re.compile(r"\b\d+/[A-ZĐ][\w.-]*", re.UNICODE)  # 25/KH-SYT, 312/QĐ-SYT
_YEAR = re.compile(r"\b(?:năm|Năm|NĂM)\s+(\d{4})\b")
_CODE = re.compile(rf"\b(?:tiêu chí|Tiêu chí|TC|mục|Mục|chỉ số)\s+(?:{NUMBER})(?:\.\d+)*")
_RANK = re.compile(
    rf"(?:xếp\s+(?:hạng|thứ)|đứng\s+(?:thứ|hạng)|hạng|thứ\s+hạng)\s*(?:thứ\s*)?"
    rf"({NUMBER})\s*/\s*({NUMBER})(?![\d/])",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“(]?(\w|-))|\n+")
UNITS = (
    "hồ sơ",
    "điểm",
    "văn bản",
    "nhiệm vụ",
    "phản ánh",
    "kiến nghị",
    "báo cáo",
    "tiêu chí",
    "đơn vị",
    "thủ tục",
    "TTHC",
    "cuộc",
    "lượt",
    "người",
    "ý kiến",
    "phiếu",
    "tài liệu",
    "dịch vụ",
)
_UNIT_WORDS = "|".join(re.escape(u) for u in UNITS)
_UNIT = re.compile(r"\s*(" + _UNIT_WORDS + r")\b", re.IGNORECASE)
# A fraction written in words: "2.875 hồ sơ trên tổng số 2.900 hồ sơ", "47 trên 50 phản ánh".
_OUT_OF = re.compile(
    rf"(?<![\w.,/])({NUMBER})(?:\s*(?:{_UNIT_WORDS}))?\s+trên\s+(?:tổng\s+(?:số\s+)?)?"
    rf"({NUMBER})(?![\w/]|[.,]\d)",
    re.IGNORECASE,
)


def tagged_readings(text: str) -> tuple[tuple[Decimal, tuple], ...]:
    """Every value a written figure may stand for, each with the meaning it gives the
    separators ((".", "thousands"), (",", "decimal") …): "3.105" is 3105 or 3,105; "92,125" is
    92,125 or (English grouping) 92125; "98,75" and "12.5" are decimals; "1.234.567" groups
    thousands; "1.234,5" and "1,234.5" group thousands before a decimal."""
    text = text.strip()
    dots, commas = text.count("."), text.count(",")
    values: list[tuple[Decimal, tuple]] = []

    def add(digits: str, *roles):
        with suppress(InvalidOperation):
            values.append((Decimal(digits), tuple(roles)))

    if not dots and not commas:
        add(text)
    elif dots and commas:
        last = "." if text.rfind(".") > text.rfind(",") else ","
        group = "," if last == "." else "."
        whole, _, fraction = text.rpartition(last)
        if re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})*", whole):
            add(whole.replace(group, "") + "." + fraction, (last, DEC), (group, THOU))
    else:
        sep = "." if dots else ","
        parts = text.split(sep)
        if len(parts) == 2:
            add(parts[0] + "." + parts[1], (sep, DEC))
            if len(parts[1]) == 3 and len(parts[0]) <= 3:
                add(parts[0] + parts[1], (sep, THOU))
        elif all(len(p) == 3 for p in parts[1:]) and len(parts[0]) <= 3:
            add("".join(parts), (sep, THOU))
    return tuple(sorted(values, key=lambda v: v[0]))


DEC, THOU = "decimal", "thousands"


def readings(text: str) -> tuple[Decimal, ...]:
    return tuple(value for value, _roles in tagged_readings(text))


def combos(*figures: Figure):
    """The value tuples the figures may stand for together: a separator means one thing in
    one passage (3.050/3.105 are both thousands or both decimals), though the comma and the
    dot may differ ("92.125/100 điểm (92,13 %)")."""
    for chosen in product(*(f.tagged for f in figures)):
        roles: dict[str, str] = {}
        consistent = True
        for _value, tags in chosen:
            for sep, role in tags:
                if roles.setdefault(sep, role) != role:
                    consistent = False
        if consistent:
            yield tuple(value for value, _tags in chosen)


def decimals(text: str) -> int:
    """The decimals a figure is written with, as a decimal (3 for "98,125", 0 for "98")."""
    match = re.search(r"[.,](\d+)$", text.strip())
    return len(match.group(1)) if match else 0


@dataclass(frozen=True)
class Figure:
    text: str
    start: int
    end: int
    tagged: tuple[tuple[Decimal, tuple], ...] = ()

    @property
    def values(self) -> tuple[Decimal, ...]:
        return tuple(value for value, _tags in self.tagged)

    @classmethod
    def of(cls, match, group: int = 1, unit: str | None = None) -> Figure:
        """The figure `match` found; `unit`: the word after it (or after the fraction it is
        part of), which rules readings out: dossiers, tasks, documents are counted in whole
        numbers, and no PAR score reaches a thousand points."""
        text = match.group(group)
        tagged = tagged_readings(text)
        if unit is None:
            after = _UNIT.match(match.string, match.end(group))
            unit = after.group(1).lower() if after else ""
        if unit and unit != "điểm":
            tagged = tuple(t for t in tagged if t[0] == t[0].to_integral_value()) or tagged
        elif unit == "điểm":
            tagged = tuple(t for t in tagged if t[0] <= MAX_POINTS) or tagged
        return cls(text, match.start(group), match.end(group), tagged)

    def with_unit(self, unit: str) -> Figure:
        """The same figure read with the unit of the passage it is counted in."""
        if unit and unit != "điểm":
            kept = tuple(t for t in self.tagged if t[0] == t[0].to_integral_value())
        else:
            kept = tuple(t for t in self.tagged if t[0] <= MAX_POINTS)
        return Figure(self.text, self.start, self.end, kept or self.tagged)


MAX_POINTS = Decimal(1000)


@dataclass(frozen=True)
class Finding:
    kind: str
    sentence: str
    stated: str  # the figure as written
    computed: str  # the figure the others give, written the Vietnamese way
    suggestion: Message
    numbers: tuple[str, ...] = field(default_factory=tuple)  # every figure involved, as written


def sentences(text: str) -> list[str]:
    """The text cut into sentences (and list lines), each stripped, none empty: a sentence
    ends at a full stop (or ! ? …) before a capital letter, a digit or a dash, or at a line
    break; a semicolon separates the items of one list, not sentences."""
    text = text.replace("\u00a0", " ").replace("\r", "")
    out, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        following = match.group(1)
        if following is not None and following.isalpha() and not following.isupper():
            continue  # "… 3 tr. đồng": a lower-case word goes on with the sentence
        out.append(text[start : match.start()])
        start = match.end()
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def check(text: str) -> list[Finding]:
    findings: list[Finding] = []
    for sentence in sentences(text):
        findings.extend(check_sentence(sentence))
    return findings


def _masked(sentence: str) -> str:
    """The sentence with what is not a figure blanked out (same length, so positions hold)."""

    def blank(match):
        return " " * (match.end() - match.start())

    text = _DATE.sub(blank, sentence)
    text = _SYMBOL.sub(blank, text)
    text = _CODE.sub(blank, text)
    return _YEAR.sub(lambda m: m.group(0)[: m.start(1) - m.start()] + " " * 4, text)


def _unit_after(text: str, end: int) -> str:
    unit = _UNIT.match(text, end)
    return unit.group(1).lower() if unit else ""


def check_sentence(sentence: str) -> list[Finding]:
    text = _masked(sentence)
    found: list[Finding] = []
    ranks = [(Figure.of(m, 1), Figure.of(m, 2), m.start(), m.end()) for m in _RANK.finditer(text)]
    rank_spans = [(start, end) for *_f, start, end in ranks]
    for rank, of, *_span in ranks:
        found.extend(_rank(sentence, rank, of))
    fractions = [
        (
            Figure.of(m, 1, _unit_after(text, m.end())),
            Figure.of(m, 2, _unit_after(text, m.end())),
            m,
        )
        for m in sorted(
            (*_FRACTION.finditer(text), *_OUT_OF.finditer(text)), key=lambda m: m.start()
        )
        if not any(s <= m.start() < e for s, e in rank_spans)
    ]
    percents = [Figure.of(m, 1) for m in _PERCENT.finditer(text)]
    used: set[int] = set()
    for part, whole, match in fractions:
        after = text[match.end() : match.end() + 12]
        if _UNIT.match(after) and _UNIT.match(after).group(1).lower() == "điểm":
            found.extend(_score(sentence, part, whole))
        rate = _nearest_percent(text, match.start(), match.end(), percents, used)
        if rate is not None:
            found.extend(_rate(sentence, part, whole, rate))
    found.extend(_parts(sentence, text, percents, used, fractions))
    found.extend(_changes(sentence, text, ranks))
    return found


# --- the kinds ---------------------------------------------------------------------------------


def _shown(value: Decimal, places: int) -> str:
    return format_number(value, places)


def _rank(sentence, rank: Figure, of: Figure) -> list[Finding]:
    if any(0 < r <= n and r == int(r) for r, n in combos(rank, of)):
        return []
    return [
        Finding(
            RANK,
            sentence,
            f"{rank.text}/{of.text}",
            f"1–{of.text}",
            Message(
                N_("a rank is between 1 and the number ranked (%(of)s): check %(rank)s/%(of)s"),
                {"rank": rank.text, "of": of.text},
            ),
            (rank.text, of.text),
        )
    ]


def _score(sentence, part: Figure, whole: Figure) -> list[Finding]:
    if any(p <= w for p, w in combos(part, whole)):
        return []
    return [
        Finding(
            SCORE,
            sentence,
            f"{part.text}/{whole.text}",
            f"≤ {whole.text}",
            Message(
                N_("%(score)s points is more than the maximum %(max)s: check the score"),
                {"score": part.text, "max": whole.text},
            ),
            (part.text, whole.text),
        )
    ]


def _tolerance(places: int) -> Decimal:
    # Half a unit of the last decimal shown (a writer rounds), and a hair.
    return Decimal(1).scaleb(-places) / 2 + Decimal("1e-9")


def _half_unit(places: int) -> Decimal:
    """Half a unit of the last decimal of a figure written with decimals; a whole number is
    taken as exact (a count)."""
    return Decimal(1).scaleb(-places) / 2 if places else Decimal(0)


def _overlaps(low: Decimal, high: Decimal, stated: Decimal, places: int) -> bool:
    unit = Decimal(1).scaleb(-places)
    hair = Decimal("1e-9")
    return low < stated + unit + hair and high >= stated - unit / 2 - hair


def _written(exact: Decimal, stated: Decimal, places: int) -> bool:
    """Whether a writer may have written `exact` as `stated` with `places` decimals: rounded
    (half a unit either side) or cut (up to a unit below)."""
    unit = Decimal(1).scaleb(-places)
    hair = Decimal("1e-9")
    return stated - unit / 2 - hair <= exact < stated + unit + hair


def _rate(sentence, part: Figure, whole: Figure, rate: Figure) -> list[Finding]:
    places = decimals(rate.text)
    best = None
    # The part may be rounded too (76,999/97,5 points from 76,9994…): the rate's possible
    # values span half a unit of its last decimal. The whole (a maximum, a count) is exact.
    half_part = _half_unit(decimals(part.text))
    for p, w, r in combos(part, whole, rate):
        if w <= 0:
            continue
        exact = p * 100 / w
        low = max(p - half_part, Decimal(0)) * 100 / w
        high = (p + half_part) * 100 / w
        if _written(exact, r, places) or _overlaps(low, high, r, places):
            return []
        if best is None:
            best = exact
    if best is None:
        return []
    computed = _shown(best, max(places, 2))
    return [
        Finding(
            RATE,
            sentence,
            f"{rate.text} %",
            f"{computed} %",
            Message(
                N_("%(part)s/%(whole)s is %(computed)s %%, not %(stated)s %%"),
                {
                    "part": part.text,
                    "whole": whole.text,
                    "computed": computed,
                    "stated": rate.text,
                },
            ),
            (part.text, whole.text, rate.text),
        )
    ]


def _nearest_percent(text, start, end, percents, used) -> Figure | None:
    """The rate that states a fraction: the first percentage within the same clause after it
    ("3.050/3.105 hồ sơ (98,23 %)"), else the last one just before it ("đạt 98,23 % (3.050/
    3.105)")."""
    for rate in percents:
        if (
            rate.start >= end
            and rate.start - end <= 40
            and not _clause_break(text[end : rate.start])
        ):
            used.add(rate.start)
            return rate
    for rate in reversed(percents):
        if (
            rate.end <= start
            and start - rate.end <= 12
            and not _clause_break(text[rate.end : start])
        ):
            used.add(rate.start)
            return rate
    return None


def _clause_break(between: str) -> bool:
    return bool(re.search(r"[;:]|\bvà\b|\bcòn\b|\d", between))


_SEMICOLON = re.compile(";")
_PARTS_START = re.compile(r"\b(bao gồm|gồm|trong đó|Trong đó)\b:?")


def _counted(text: str, sentence_from: int = 0) -> list[tuple[Figure, str]]:
    """The figures followed by a unit ("3.105 hồ sơ", "52,5 điểm"), with the unit."""
    out = []
    for match in _NUMBER.finditer(text):
        unit = _UNIT.match(text, match.end())
        if unit and text[match.end() : match.end() + 1] != "/":
            out.append((Figure.of(match), unit.group(1).lower()))
    return out


def _parts(sentence, text, percents, used, fractions) -> list[Finding]:
    """A total, then its parts ("tiếp nhận 3.105 hồ sơ, trong đó đúng hạn 3.050 hồ sơ (98,23
    %), trễ hạn 55 hồ sơ (1,77 %)"): each part's stated rate against the total, and the parts'
    sum — which must equal the total after "gồm", and not exceed it after "trong đó" (a list
    that may leave some out). A sentence may hold several such lists, each in its own clause
    ("đã giải quyết …, trong đó …; đang giải quyết …, trong đó …")."""
    in_fraction = [(f[2].start(), f[2].end()) for f in fractions]
    counted = [
        (figure, unit)
        for figure, unit in _counted(text)
        if not any(s <= figure.start < e for s, e in in_fraction)
    ]
    starts = list(_PARTS_START.finditer(text))
    found: list[Finding] = []
    # Each list runs to the clause of the next one (the ";" before its total), else to the
    # end: its own items may be separated by ";" too ("gồm: … 57,25 điểm; … 30,537 điểm").
    clauses = [
        max((m.end() for m in _SEMICOLON.finditer(text, 0, start.start())), default=0)
        for start in starts
    ]
    for index, start in enumerate(starts):
        clause_start = clauses[index]
        end = clauses[index + 1] if index + 1 < len(starts) else len(text)
        end = max(end, start.end())
        before = [(f, u) for f, u in counted if clause_start <= f.start and f.end <= start.start()]
        if not before:
            continue
        total, unit = before[-1]
        parts = [(f, u) for f, u in counted if start.end() <= f.start < end and u == unit]
        for part, _unit in parts:
            rate = next(
                (
                    r
                    for r in percents
                    if r.start not in used
                    and 0 <= r.start - part.end <= 30
                    and not re.search(r"\d|;", text[part.end : r.start])
                ),
                None,
            )
            if rate is not None:
                used.add(rate.start)
                found.extend(_rate(sentence, part, total, rate))
        exhaustive = start.group(1).lower() in ("gồm", "bao gồm")
        if len(parts) >= 2 or (exhaustive and parts):
            found.extend(_sum(sentence, total, [p for p, _u in parts], exhaustive))
    return found


def _sum(sentence, total: Figure, parts: list[Figure], exhaustive: bool) -> list[Finding]:
    places = max(decimals(p.text) for p in [total, *parts])
    tolerance = _tolerance(places) * len(parts) if places else Decimal(0)
    best = None
    for t, *values in combos(total, *parts):
        added = sum(values, Decimal(0))
        if (abs(added - t) <= tolerance) or (not exhaustive and added <= t + tolerance):
            return []
        if best is None:
            best = added
    if best is None:
        return []
    computed = _shown(best, places)
    return [
        Finding(
            SUM,
            sentence,
            total.text,
            computed,
            Message(
                N_("the parts (%(parts)s) add up to %(computed)s, not %(total)s"),
                {
                    "parts": " + ".join(p.text for p in parts),
                    "computed": computed,
                    "total": total.text,
                },
            ),
            (total.text, *(p.text for p in parts)),
        )
    ]


_CLAIM = re.compile(r"\b(tăng|giảm)\b", re.IGNORECASE)
_FROM_TO = re.compile(
    rf"\btừ\s+(?:mức\s+|hạng\s+|thứ\s+)?({NUMBER})(?:\s*/\s*{NUMBER})?[^;]*?"
    rf"\b(?:lên|xuống|còn|đến|thành)\s+(?:mức\s+|hạng\s+|thứ\s+)?({NUMBER})"
)
_AMOUNT = re.compile(rf"\s+({NUMBER})\s*(điểm phần trăm|điểm|bậc|hạng|%|phần trăm)?")
_COMPARED = re.compile(r"\bso với\b")


def _changes(sentence, text, ranks) -> list[Finding]:
    found = []
    for claim in _CLAIM.finditer(text):
        word = claim.group(1).lower()
        amount_match = _AMOUNT.match(text, claim.end())
        amount = Figure.of(amount_match) if amount_match else None
        unit = (amount_match.group(2) or "") if amount_match else ""
        pair = _compared(text, claim, amount_match)
        if pair is None:
            continue
        old, new, rank = pair
        rank = rank or unit in ("bậc", "hạng")
        finding = _change(sentence, word, old, new, amount, unit, rank)
        if finding is not None:
            found.append(finding)
    return found


def _figure_before(text, end) -> Figure | None:
    last = None
    for match in _NUMBER.finditer(text, 0, end):
        if text[match.end() : match.end() + 1] != "/" and not _PERCENT.match(text, match.start()):
            last = match
    return Figure.of(last) if last else None


def _compared(text, claim, amount_match):
    """(old, new, is a rank) that a claim compares: "từ A lên B" after it, else the figure
    before it (the new) and the first after "so với" (the old)."""
    after = claim.end() if amount_match is None else amount_match.end()
    clause_end = _clause_end(text, after)
    from_to = _FROM_TO.search(text, after, clause_end)
    if from_to:
        old, new = Figure.of(from_to, 1), Figure.of(from_to, 2)
        return old, new, bool(re.search(r"hạng|thứ", from_to.group(0)))
    compared = _COMPARED.search(text, after, clause_end)
    if not compared:
        return None
    rank_before = _rank_before(text, claim.start())
    if rank_before is not None:
        old_rank = _RANK.search(text, compared.end(), clause_end)
        if old_rank:
            return Figure.of(old_rank, 1), rank_before, True
        return None
    new = _figure_before(text, claim.start())
    if new is None or _clause_break_strong(text[new.end : claim.start()]):
        return None
    old_match = next(
        (
            m
            for m in _NUMBER.finditer(text, compared.end(), clause_end)
            if not _PERCENT.match(text, m.start()) and text[m.end() : m.end() + 1] != "/"
        ),
        None,
    )
    if old_match is None:
        return None
    return Figure.of(old_match), new, False


def _rank_before(text, end) -> Figure | None:
    last = None
    for match in _RANK.finditer(text, 0, end):
        last = match
    if last is None or _clause_break_strong(text[last.end() : end]):
        return None
    return Figure.of(last, 1)


def _clause_end(text, start) -> int:
    stop = re.compile(r";|\.\s|\bcòn\b|\btrong khi\b")
    match = stop.search(text, start)
    return match.start() if match else len(text)


def _clause_break_strong(between: str) -> bool:
    return bool(re.search(r";", between))


def _change(sentence, word, old, new, amount, unit, rank) -> Finding | None:
    up = word == "tăng"
    percent = unit in ("%", "phần trăm")
    places = max(decimals(f.text) for f in (old, new, *([amount] if amount else [])))
    tolerance = _tolerance(places) if places else Decimal(0)
    best = None
    for o, n, *a in combos(old, new, *([amount] if amount else [])):
        rises = (o - n) if rank else (n - o)  # a better rank is a smaller number
        direction_ok = rises > 0 if up else rises < 0
        if not direction_ok:
            if best is None:
                best = (o, n, rises)
            continue
        if amount is None:
            return None
        if percent and o == 0:
            return None
        change = abs(rises) * 100 / o if percent else abs(rises)
        if _written(change, a[0], decimals(amount.text)) or abs(change - a[0]) <= tolerance:
            return None
        if best is None or best[2] * (1 if up else -1) <= 0:
            best = (o, n, rises)
    if best is None:
        return None
    o, n, rises = best
    if (rises > 0) != up or rises == 0:
        right = "tăng" if rises > 0 else ("giảm" if rises < 0 else "không đổi")
        return Finding(
            CHANGE,
            sentence,
            word,
            right,
            Message(
                N_("from %(old)s to %(new)s is “%(right)s”, not “%(stated)s”"),
                {"old": old.text, "new": new.text, "right": right, "stated": word},
            ),
            tuple(f.text for f in (old, new, *([amount] if amount else []))),
        )
    change = abs(rises) * 100 / o if percent else abs(rises)
    computed = _shown(change, max(places, decimals(amount.text)))
    return Finding(
        CHANGE,
        sentence,
        f"{word} {amount.text}",
        f"{word} {computed}",
        Message(
            N_("from %(old)s to %(new)s is a change of %(computed)s, not %(stated)s"),
            {"old": old.text, "new": new.text, "computed": computed, "stated": amount.text},
        ),
        (old.text, new.text, amount.text),
    )
