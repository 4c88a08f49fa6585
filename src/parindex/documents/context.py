"""What a document says, from the data: one dictionary per kind, whose keys are the
placeholders its template may use (`ALLOWED`). Every figure is formatted here, the Vietnamese
way (87,787; 3.105; dates "ngày 05 tháng 02 năm 2026"), so that a template never computes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import get_language, npgettext, pgettext

from parindex.assessments.analysis import AnalysisError, loss_report, published
from parindex.assessments.errors import ActionRefused
from parindex.documents.charts import area_chart, dossier_chart
from parindex.domain import losses
from parindex.domain.framework import SURVEY
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import format_number, quantize
from parindex.units.models import Membership, PeerGroup
from parindex.units.people import full_name

# A document's words are pgettext("document", …): in the language of the document being
# made (`render.generate` makes it the active one), apart from the UI's words of the same
# English (a dossier's "late" and a report's may differ in Vietnamese).
RESULTS_LETTER = "results-letter"
REMEDIATION_PLAN = "remediation-plan"
ANNUAL_REPORT = "annual-report"
SELF_ASSESSMENT = "self-assessment"
KINDS = (RESULTS_LETTER, REMEDIATION_PLAN, ANNUAL_REPORT, SELF_ASSESSMENT)
KIND_LABELS = {
    RESULTS_LETTER: N_("letter on the results and the lessons (công văn quán triệt)"),
    REMEDIATION_PLAN: N_("remediation plan (kế hoạch khắc phục)"),
    ANNUAL_REPORT: N_("annual CCHC report (báo cáo kết quả công tác CCHC)"),
    SELF_ASSESSMENT: N_("self-assessment report (báo cáo tự đánh giá), with its XLSX appendix"),
}

COMMON = (
    "agency_parent",
    "agency",
    "number_symbol",
    "place_date",
    "doc_type",
    "subject",
    "recipients",
    "signer_authority",
    "signer_title",
    "signer_name",
    "unit_name",
    "unit_code",
    "year",
    "framework_title",
    "total",
    "max",
    "index",
    "band",
    "rank",
    "ranked",
    "group_name",
)
ALLOWED = {
    RESULTS_LETTER: frozenset(
        (
            *COMMON,
            "addressees",
            "chart",
            "appraisal",
            "survey",
            "bonus",
            "penalty",
            "bonus_any",
            "penalty_zero",
            "previous",
            "previous_year",
            "previous_total",
            "change_text",
            "previous_rank",
            "previous_ranked",
            "rank_change_text",
            "areas",
            "losses",
        )
    ),
    REMEDIATION_PLAN: frozenset((*COMMON, "lost", "lost_areas", "items")),
    ANNUAL_REPORT: frozenset(
        (*COMMON, "published", "period", "dossiers", "dossier_rows", "dossier_chart", "others")
    ),
    SELF_ASSESSMENT: frozenset(
        (*COMMON, "self_total", "self_areas", "explained", "evidence", "evidence_count")
    ),
}


def vn(value) -> str:
    return format_number(value) if value is not None else ""


def official_date(day: date, language: str = "vi") -> str:
    """ "ngày 05 tháng 02 năm 2026", "ngày 15 tháng 3 năm 2021": a day below 10 and the months
    January and February take a leading zero (Decree 30). In English "15 March 2021"."""
    if not language.startswith("vi"):
        with translation.override(language):
            return formats.date_format(day, "j F Y")
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _signature(unit) -> dict:
    """The unit's signer as set on the templates page, else a deputy for the head: "KT. GIÁM
    ĐỐC / PHÓ GIÁM ĐỐC" and the unit's first leader."""
    from parindex.documents.models import DocumentSigner

    signer = DocumentSigner.objects.filter(unit=unit).first()
    if signer is not None:
        return {
            "signer_authority": signer.authority,
            "signer_title": signer.title,
            "signer_name": signer.name,
        }
    return {
        "signer_authority": pgettext("document", "FOR THE DIRECTOR"),
        "signer_title": pgettext("document", "DEPUTY DIRECTOR"),
        "signer_name": _signer(unit),
    }


def _signer(unit) -> str:
    leader = (
        Membership.objects.filter(unit=unit, role=Membership.Role.LEADER, user__is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return full_name(leader.user) if leader else ""


def _common(framework, unit, result, today: date, symbol: str) -> dict:
    """The letterhead, the signature and the published result's figures."""
    score = result.score
    group = PeerGroup.objects.filter(code=result.unit.group).first() if result.unit.group else None
    place = result.place
    return {
        **_unpublished(framework, unit, today, symbol),
        "total": vn(score.total),
        "max": vn(score.max),
        "index": vn(score.index_pct),
        "band": score.band or "—",
        "rank": place.rank if place and place.rank else "—",
        "ranked": place.of if place else "—",
        "group_name": (group.name if group else "").lower() or pgettext("document", "units"),
    }


def _published(framework, unit):
    try:
        return published(framework, unit)
    except AnalysisError as exc:
        raise ActionRefused(exc.message) from None


def _result_of(data):
    return next(r for r in data.results.units if r.unit.code == data.unit.code)


def _is_survey(node) -> bool:
    leaves = [n for n in node.walk() if n.is_leaf]
    return bool(leaves) and all(leaf.effective_kind == SURVEY for leaf in leaves)


def _change_words(change: Decimal) -> str:
    """ "tăng 1,5 điểm", "giảm 2 điểm", "không đổi" (the checker reads these back)."""
    many = 1 if abs(change) == 1 else 2
    if change > 0:
        return npgettext("document", "up %(points)s point", "up %(points)s points", many) % {
            "points": vn(change)
        }
    if change < 0:
        return npgettext("document", "down %(points)s point", "down %(points)s points", many) % {
            "points": vn(-change)
        }
    return pgettext("document", "unchanged")


def results_letter(framework, unit, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    data = _published(framework, unit)
    result = _result_of(data)
    score = result.score
    nodes = {node.code: node for node in framework.domain.nodes}
    survey = sum((quantize(n.score) for n in result.nodes if _is_survey(nodes[n.code])), Decimal(0))
    appraisal = sum(
        (quantize(n.score) for n in result.nodes if not _is_survey(nodes[n.code])), Decimal(0)
    )
    context = _common(framework, unit, result, today, f"{unit.code}-VP")
    previous = result.previous
    report = loss_report(data, None)
    directions = _directions(framework, unit)
    context.update(
        {
            "doc_type": "",
            "subject": pgettext(
                "document",
                "disseminating the results of the Administrative Reform Index %(year)s and "
                "the lessons learned",
            )
            % {"year": framework.year},
            "addressees": pgettext("document", "The divisions and units of %(unit)s")
            % {"unit": unit.name},
            "recipients": [
                pgettext("document", "As above;"),
                pgettext("document", "The Board of Directors;"),
                pgettext("document", "Filed: Records, Office."),
            ],
            "appraisal": vn(appraisal),
            "survey": vn(survey),
            "bonus": vn(score.bonus),
            "penalty": vn(score.penalty),
            "bonus_any": score.bonus > 0,
            "penalty_zero": score.penalty == 0,
            "previous": previous is not None,
            "previous_year": _previous_year(data),
            "previous_total": vn(previous.total) if previous else "",
            "change_text": _change_words(quantize(score.total) - quantize(previous.total))
            if previous
            else "",
            "previous_rank": previous.place.rank
            if previous and previous.place and previous.place.rank and result.place
            else "",
            "previous_ranked": previous.place.of if previous and previous.place else "",
            "rank_change_text": _rank_words(previous.place.rank - result.place.rank)
            if previous and previous.place and previous.place.rank and result.place
            else "",
            "chart": area_chart(
                [(node.code, node.score, node.max) for node in result.nodes],
                pgettext("document", "Points of each area against its maximum — %(unit)s, %(year)s")
                % {"unit": unit.name, "year": framework.year},
            ),
            "areas": [
                {
                    "code": node.code,
                    "title": node.title,
                    "score": vn(node.score),
                    "max": vn(node.max),
                    "rank": f"{node.place.rank}/{node.place.of}"
                    if node.place and node.place.rank
                    else "—",
                    "change": _signed(node.change.points) if node.change else "—",
                }
                for node in result.nodes
            ],
            "losses": [
                {
                    "code": item.code,
                    "title": item.title,
                    "lost": vn(item.shown_lost),
                    "direction": directions.get(item.code)
                    or item.reason
                    or pgettext("document", "review the causes, add solutions and evidence."),
                }
                for item in report.items
                if item.kind == losses.CRITERION_ITEM and item.shown_lost > 0
            ],
        }
    )
    return context


def _signed(value: Decimal) -> str:
    value = quantize(value)
    return f"+{vn(value)}" if value > 0 else vn(value)


def _rank_words(steps: int) -> str:
    if steps > 0:
        return npgettext("document", "up %(steps)d place", "up %(steps)d places", steps) % {
            "steps": steps
        }
    if steps < 0:
        return npgettext("document", "down %(steps)d place", "down %(steps)d places", -steps) % {
            "steps": -steps
        }
    return pgettext("document", "the same rank")


def _previous_year(data) -> str:
    previous = data.results.previous_framework
    return str(previous.year) if previous is not None else ""


def _directions(framework, unit) -> dict[str, str]:
    """The remediation plan's solution per criterion, if the unit has a plan."""
    from parindex.plans.models import RemediationItem

    return {
        code: solution
        for code, solution in RemediationItem.objects.filter(
            plan__framework=framework, plan__unit=unit
        )
        .exclude(solution="")
        .values_list("code", "solution")
    }


def remediation_plan(framework, unit, today: date | None = None) -> dict:
    from parindex.plans.models import RemediationPlan
    from parindex.plans.services import plan_items

    today = today or timezone.localdate()
    plan = RemediationPlan.objects.filter(framework=framework, unit=unit).first()
    if plan is None:
        raise ActionRefused(
            Message(
                N_("%(unit)s has no remediation plan for %(framework)s yet: draft it first"),
                {"unit": unit.code, "framework": framework.code},
            )
        )
    data = _published(framework, unit)
    result = _result_of(data)
    items = list(plan_items(plan))
    context = _common(framework, unit, result, today, f"KH-{unit.code}")
    by_area: dict[str, list] = {}
    for item in items:
        by_area.setdefault(item.area, []).append(item)
    titles = {node.code: node.title for node in framework.domain.nodes}
    order = {node.code: i for i, node in enumerate(framework.domain.nodes)}
    lost = sum((quantize(i.lost) for i in items), Decimal(0))
    context.update(
        {
            "doc_type": pgettext("document", "PLAN"),
            "subject": pgettext(
                "document",
                "Remedying the shortcomings found in the Administrative Reform Index %(year)s",
            )
            % {"year": framework.year},
            "recipients": [
                pgettext("document", "Department of Home Affairs (to report);"),
                pgettext("document", "The Board of Directors;"),
                pgettext("document", "The divisions and units (to carry out);"),
                pgettext("document", "Filed: Records, Office."),
            ],
            "lost": vn(lost),
            "lost_areas": [
                {
                    "code": code,
                    "title": titles.get(code, ""),
                    "lost": vn(sum((quantize(i.lost) for i in area_items), Decimal(0))),
                }
                for code, area_items in sorted(by_area.items(), key=lambda a: order.get(a[0], 0))
            ],
            "items": [
                {
                    "number": number,
                    "code": item.code,
                    "solution": item.solution or "—",
                    "responsible": item.responsible.code if item.responsible else "—",
                    "supporting": ", ".join(sorted(u.code for u in item.supporting.all())) or "—",
                    "deadline": item.deadline.strftime("%d/%m/%Y") if item.deadline else "—",
                }
                for number, item in enumerate(items, start=1)
            ],
        }
    )
    return context


def _count(value) -> str:
    return format_number(int(value or 0), 0)


def _pct(part, whole) -> str:
    return format_number(Decimal(part) * 100 / Decimal(whole), 2) if whole else "0"


def _share(part, whole) -> Decimal:
    return Decimal(part) * 100 / Decimal(whole) if whole else Decimal(0)


def _dossier_rows(table: dict, dossiers: dict) -> list[dict]:
    """Biểu II.06a as the report's table: each line with its count and, for the parts of the
    resolved dossiers, their share."""
    lines = (
        ("I", pgettext("document", "Dossiers received"), "col3", ""),
        ("1", pgettext("document", "Online"), "col4", ""),
        ("2", pgettext("document", "In person or by post"), "col5", ""),
        ("3", pgettext("document", "Carried over from the previous period"), "col6", ""),
        ("II", pgettext("document", "Dossiers resolved"), "col7", ""),
        ("1", pgettext("document", "Early"), "col8", "early_pct"),
        ("2", pgettext("document", "On time"), "col9", "on_time_pct"),
        ("3", pgettext("document", "Late"), "col10", "late_pct"),
        ("III", pgettext("document", "Dossiers being resolved"), "col11", ""),
        ("1", pgettext("document", "Within the time limit"), "col12", ""),
        ("2", pgettext("document", "Past the time limit"), "col13", ""),
    )
    return [
        {
            "number": number,
            "label": label,
            "count": dossiers[key],
            "share": f"{dossiers[share]}%" if share else "",
        }
        for number, label, key, share in lines
        if key in table
    ]


def annual_report(framework, unit, today: date | None = None) -> dict:
    """The year's CCHC report: the one-stop table from the dossier register (Biểu II.06a)
    and the other registers' figures over the framework's year; the published result of
    the year if there is one (the report is often written before it)."""
    from parindex.registers.bindings import period
    from parindex.registers.indicators import compute

    today = today or timezone.localdate()
    start, end = period(framework.domain)
    figures = compute([unit], start, end)[unit.pk]
    try:
        data = published(framework, unit)
    except AnalysisError:
        data = None
    if data is not None:
        context = _common(framework, unit, _result_of(data), today, f"BC-{unit.code}")
    else:
        context = _unpublished(framework, unit, today, f"BC-{unit.code}")
    table = figures.table_06a
    dossiers = None
    if table:
        dossiers = {key: _count(value) for key, value in table.items()}
        resolved = table["col7"]
        received = figures.figures["dossiers.received"]
        online = figures.figures["dossiers.online"]
        postal = figures.figures["dossiers.postal_share"]
        dossiers.update(
            {
                "early_pct": _pct(table["col8"], resolved),
                "on_time_pct": _pct(table["col9"], resolved),
                "late_pct": _pct(table["col10"], resolved),
                "online": _count(online.value),
                "received": _count(received.value),
                "online_pct": _pct(online.value or 0, received.value),
                "postal": _count(postal.numerator),
                "postal_of": _count(postal.denominator),
                "postal_pct": _pct(postal.numerator or 0, postal.denominator),
            }
        )
        dossier_rows = _dossier_rows(table, dossiers)
        dossier_chart_ = dossier_chart(
            [
                (pgettext("document", "Early"), int(table["col8"] or 0)),
                (pgettext("document", "On time"), int(table["col9"] or 0)),
                (pgettext("document", "Late"), int(table["col10"] or 0)),
            ],
            [
                (pgettext("document", "Online"), _share(online.value or 0, received.value)),
                (pgettext("document", "Postal"), _share(postal.numerator or 0, postal.denominator)),
            ],
            (
                pgettext("document", "Dossiers resolved in %(year)s") % {"year": framework.year},
                pgettext("document", "Share of dossiers by channel"),
            ),
        )
    else:
        dossier_rows, dossier_chart_ = [], ""
    others = []
    for label, done, total in (
        (pgettext("document", "Feedback handled on time"), "feedback.on_time", "feedback.received"),
        (
            pgettext("document", "Assigned tasks done on time"),
            "directives.on_time",
            "directives.total",
        ),
        (pgettext("document", "Reports sent on time"), "reports.on_time", "reports.total"),
        (pgettext("document", "Tasks of the CCHC plan done"), "plan.tasks_done", "plan.tasks"),
    ):
        part, whole = figures.figures[done].value, figures.figures[total].value
        if whole:
            others.append(
                {
                    "label": label,
                    "done": _count(part),
                    "total": _count(whole),
                    "pct": _pct(part or 0, whole),
                }
            )
    context.update(
        {
            "doc_type": pgettext("document", "REPORT"),
            "subject": pgettext("document", "Results of the administrative reform work in %(year)s")
            % {"year": framework.year},
            "recipients": _report_recipients(),
            "published": data is not None,
            "period": pgettext("document", "from %(start)s to %(end)s")
            % {"start": start.strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")},
            "dossiers": dossiers,
            "dossier_rows": dossier_rows,
            "dossier_chart": dossier_chart_,
            "others": others,
        }
    )
    return context


def _report_recipients() -> list[str]:
    """A report goes to the Department of Home Affairs and the board, and to the archive."""
    return [
        pgettext("document", "Department of Home Affairs;"),
        pgettext("document", "The Board of Directors;"),
        pgettext("document", "Filed: Records, Office."),
    ]


def _unpublished(framework, unit, today, symbol) -> dict:
    """The letterhead and the signature: what every document has, published results or not
    (their figures empty)."""
    parent = unit.parent.name.upper() if unit.parent else ""
    return {
        "agency_parent": parent,
        "agency": unit.name.upper(),
        "number_symbol": f"      /{symbol}",
        "place_date": f"{settings.DOCUMENT_PLACE}, {official_date(today, get_language() or 'vi')}",
        **_signature(unit),
        "unit_name": unit.name,
        "unit_code": unit.code,
        "year": framework.year,
        "framework_title": framework.title,
        **{key: "" for key in ("total", "max", "index", "band", "rank", "ranked", "group_name")},
    }


def self_assessment(framework, unit, today: date | None = None) -> dict:
    """The unit's self-assessment: its self score per area and in all, each criterion's
    explanation, and the evidence list (the appendix workbook has every criterion)."""
    today = today or timezone.localdate()
    rows = self_assessment_rows(framework, unit)
    context = _unpublished(framework, unit, today, f"BC-{unit.code}")
    context.update(
        {
            "doc_type": pgettext("document", "REPORT"),
            "subject": pgettext(
                "document",
                "Results of the self-assessment and scoring of the Administrative Reform Index "
                "%(year)s",
            )
            % {"year": framework.year},
            "recipients": _report_recipients(),
            "self_total": vn(rows["total"]),
            "max": vn(rows["max"]),
            "self_areas": [
                {
                    "code": a["code"],
                    "title": a["title"],
                    "score": vn(a["score"]),
                    "max": vn(a["max"]),
                }
                for a in rows["areas"]
            ],
            "explained": [
                {"code": c["code"], "title": c["title"], "text": c["explanation"]}
                for c in rows["criteria"]
                if c["explanation"]
            ],
            "evidence": [
                {
                    "number": number,
                    "title": e["title"],
                    "reference": e["reference"],
                    "codes": e["codes"],
                }
                for number, e in enumerate(rows["evidence"], start=1)
            ],
            "evidence_count": len(rows["evidence"]),
        }
    )
    return context


def self_assessment_rows(framework, unit) -> dict:
    """What the self-assessment report and its appendix say, as numbers and texts."""
    from parindex.assessments.models import CriterionNote, Evidence, ScoreEntry, UnitAssessment
    from parindex.domain.scoring import SELF, score_unit, stage_data

    assessment = UnitAssessment.objects.filter(framework=framework, unit=unit).first()
    if assessment is None:
        raise ActionRefused(
            Message(
                N_("%(unit)s has no self-assessment in %(framework)s"),
                {"unit": unit.code, "framework": framework.code},
            )
        )
    domain = framework.domain
    stages = stage_data(
        ScoreEntry.objects.filter(framework=framework, unit=unit, stage=SELF).values_list(
            "stage", "key", "points", "value"
        )
    )
    score = score_unit(domain, {SELF: stages.get(SELF)} if SELF in stages else {})
    notes = dict(
        CriterionNote.objects.filter(
            assessment=assessment, kind=CriterionNote.Kind.EXPLANATION
        ).values_list("code", "text")
    )
    evidence = list(
        Evidence.objects.filter(assessment=assessment).prefetch_related("links").order_by("id")
    )
    by_code: dict[str, list[str]] = {}
    for document in evidence:
        for link in document.links.all():
            by_code.setdefault(link.code, []).append(document.title)
    criteria = []
    for leaf in domain.leaves():
        outcome = score.leaves.get(leaf.code)
        points = (
            outcome.outcome.points
            if outcome is not None and outcome.stage == SELF and outcome.outcome.points is not None
            else None
        )
        criteria.append(
            {
                "code": leaf.code,
                "title": leaf.title,
                "max": leaf.effective_max,
                "points": points,
                "explanation": notes.get(leaf.code, ""),
                "evidence": by_code.get(leaf.code, []),
            }
        )
    return {
        "assessment": assessment,
        "total": score.total,
        "max": score.max,
        "areas": [
            {
                "code": node.code,
                "title": node.title,
                "score": score.nodes[node.code].score,
                "max": score.nodes[node.code].max,
            }
            for node in domain.nodes
            if node.code in score.nodes
        ],
        "criteria": criteria,
        "evidence": [
            {
                "title": document.title,
                "reference": " ".join(
                    part
                    for part in (
                        document.number,
                        document.issued_on.strftime("%d/%m/%Y") if document.issued_on else "",
                        document.issuer,
                    )
                    if part
                ),
                "codes": ", ".join(sorted({link.code for link in document.links.all()})),
            }
            for document in evidence
        ],
    }


BUILD = {
    RESULTS_LETTER: results_letter,
    REMEDIATION_PLAN: remediation_plan,
    ANNUAL_REPORT: annual_report,
    SELF_ASSESSMENT: self_assessment,
}
