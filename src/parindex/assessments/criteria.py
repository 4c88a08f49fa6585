"""Actions on one criterion of one unit's assessment: points, explanations and comments,
evidence and its review. Each checks who may act in the current state, refuses a stale edit
(optimistic locking on a version number) and writes the audit trail.

Who edits what (see `workflow.EDITABLE`):
- unit staff, while drafting: self points, explanations, evidence;
- unit staff, while explanations are requested: answers and more evidence;
- the unit's appraisers, in round 1 / round 2: appraisal points, comments, evidence reviews;
- the CCHC officer, until the results are published: survey points, bonus and penalty
  (the `final` stage).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from parindex.assessments.actions import ActionRefused, Conflict, roles_of
from parindex.assessments.models import (
    AuditEntry,
    CriterionNote,
    Evidence,
    EvidenceLink,
    ScoreEntry,
    Stage,
    UnitAssessment,
)
from parindex.domain import workflow
from parindex.domain.framework import BONUS, PENALTY, SURVEY
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import format_number

# The part of the assessment a role edits in a state → the stage its points go to.
PART_STAGE = {"self": Stage.SELF, "appraisal": Stage.APPRAISAL, "appraisal2": Stage.APPRAISAL2}
PART_NOTE = {
    "self": CriterionNote.Kind.EXPLANATION,
    "answer": CriterionNote.Kind.ANSWER,
    "appraisal": CriterionNote.Kind.COMMENT,
    "appraisal2": CriterionNote.Kind.COMMENT2,
}

# Evidence formats, recognised by their content (never by the file name).
EVIDENCE_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}


def _refuse(msgid: str, **params) -> ActionRefused:
    return ActionRefused(Message(msgid, params))


def _audit(
    assessment,
    user,
    *,
    key,
    field,
    stage="",
    old=None,
    new=None,
    old_text="",
    new_text="",
    reason="",
):
    AuditEntry.objects.create(
        framework_id=assessment.round.framework_id,
        unit_id=assessment.unit_id,
        stage=stage,
        key=key,
        field=field,
        old=old,
        new=new,
        old_text=old_text,
        new_text=new_text,
        actor=user.get_username(),
        user=user,
        reason=reason,
    )


def _open(assessment: UnitAssessment) -> UnitAssessment:
    return UnitAssessment.objects.select_related(
        "round", "round__framework", "round__owner", "unit"
    ).get(pk=assessment.pk)


def _node(assessment: UnitAssessment, code: str):
    node = assessment.round.framework.domain.node_map().get(code)
    if node is None or not node.is_leaf:
        raise _refuse(N_("“%(code)s” is not a criterion of this framework"), code=code)
    return node


def _part(assessment: UnitAssessment, user) -> str:
    part = workflow.editable_part(assessment.state, roles_of(user, assessment))
    if part is None:
        raise _refuse(
            N_("you cannot change this assessment while it is %(state)s"),
            state=Message(workflow.STATE_LABELS[assessment.state]),
        )
    return part


def _score_stage(assessment: UnitAssessment, user) -> str:
    """The stage the user's points and figures go to in the assessment's state."""
    part = _part(assessment, user)
    if part not in PART_STAGE:
        raise _refuse(N_("points cannot change while explanations are requested"))
    return PART_STAGE[part]


# --- points ---------------------------------------------------------------------------------


@transaction.atomic
def set_points(
    user,
    assessment: UnitAssessment,
    code: str,
    points: Decimal | None,
    *,
    expected_version: int | None,
    reason: str = "",
) -> ScoreEntry | None:
    """Enter (or clear, with None) the points of a criterion at the stage the user edits.

    `expected_version` is the entry's version the user saw (None: there was no entry).
    """
    assessment = _open(assessment)
    if code in (BONUS, PENALTY):
        return _set_officer_points(user, assessment, code, points, expected_version, reason)
    node = _node(assessment, code)
    if node.effective_kind == SURVEY:
        return _set_officer_points(user, assessment, code, points, expected_version, reason)
    stage = _score_stage(assessment, user)
    if points is not None:
        problem = node.effective_rule.check_points(points, node.effective_max)
        if problem is not None:
            raise ActionRefused(problem)
    return _write(user, assessment, code, stage, "points", points, expected_version, reason)


def _check_officer_stage(user, assessment) -> None:
    """Survey points, their inputs, bonus and penalty: the officer's, until publication."""
    if workflow.OFFICER not in roles_of(user, assessment):
        raise _refuse(N_("only the CCHC officer enters survey points, bonus and penalty"))
    if assessment.state == workflow.PUBLISHED:
        raise _refuse(N_("the results are published: nothing can change any more"))


def _set_officer_points(user, assessment, code, points, expected_version, reason):
    _check_officer_stage(user, assessment)
    framework = assessment.round.framework.domain
    if points is not None:
        if code in (BONUS, PENALTY):
            cap = framework.bonus_max if code == BONUS else framework.penalty_max
            if not Decimal(0) <= points <= cap:
                raise _refuse(
                    N_("%(key)s is between 0 and %(cap)s"), key=code, cap=format_number(cap)
                )
        else:
            node = framework.node_map()[code]
            problem = node.effective_rule.check_points(points, node.effective_max)
            if problem is not None:
                raise ActionRefused(problem)
    return _write(user, assessment, code, Stage.FINAL, "points", points, expected_version, reason)


def _write(user, assessment, key, stage, field, number, expected_version, reason):
    """Create, change or (with None) delete one entry, refusing a stale edit; audited."""
    entry = (
        ScoreEntry.objects.select_for_update()
        .filter(
            framework_id=assessment.round.framework_id,
            unit_id=assessment.unit_id,
            stage=stage,
            key=key,
        )
        .first()
    )
    current = getattr(entry, field) if entry is not None else None
    if expected_version != (entry.version if entry is not None else None):
        raise Conflict(
            Message(
                N_(
                    "someone else changed %(code)s meanwhile (now: %(points)s); "
                    "reload and try again"
                ),
                {"code": key, "points": format_number(current) if current is not None else "—"},
            )
        )
    if current == number:
        return entry
    _audit(
        assessment, user, key=key, field=field, stage=stage, old=current, new=number, reason=reason
    )
    if number is None:
        entry.delete()
        return None
    if entry is None:
        entry = ScoreEntry(
            framework_id=assessment.round.framework_id,
            unit_id=assessment.unit_id,
            stage=stage,
            key=key,
        )
    else:
        entry.version += 1
    entry.points = number if field == "points" else None
    entry.value = number if field == "value" else None
    entry.updated_by = user.get_username()
    entry.save()
    return entry


@transaction.atomic
def set_value(
    user,
    assessment: UnitAssessment,
    name: str,
    raw,
    *,
    expected_version: int | None,
    reason: str = "",
) -> ScoreEntry | None:
    """Enter (or clear, with None or "") the figure of a named input (dossiers.received …)
    at the stage the user edits; every criterion reading it is recomputed by the engine."""
    from parindex.assessments.services import ValueRefused, read_input_value

    assessment = _open(assessment)
    framework = assessment.round.framework.domain
    kinds = framework.inputs()
    if name not in kinds:
        raise _refuse(N_("“%(code)s” is not an input of this framework"), code=name)
    readers = [leaf for leaf in framework.leaves() if name in leaf.effective_rule.inputs()]
    if all(leaf.effective_kind == SURVEY for leaf in readers):
        _check_officer_stage(user, assessment)
        stage = Stage.FINAL
    else:
        stage = _score_stage(assessment, user)
    value = None
    if raw is not None and str(raw).strip() != "":
        try:
            value = read_input_value(name, kinds[name], raw)
        except ValueRefused as exc:
            raise ActionRefused(exc.message) from None
    return _write(user, assessment, name, stage, "value", value, expected_version, reason)


# --- explanations and comments --------------------------------------------------------------


@transaction.atomic
def set_note(
    user, assessment: UnitAssessment, code: str, text: str, *, expected_version: int | None
) -> CriterionNote | None:
    """The explanation, answer or comment the user writes on a criterion in this state."""
    assessment = _open(assessment)
    _node(assessment, code)
    kind = PART_NOTE[_part(assessment, user)]
    note = (
        CriterionNote.objects.select_for_update()
        .filter(assessment=assessment, code=code, kind=kind)
        .first()
    )
    if expected_version != (note.version if note else None):
        raise Conflict(
            Message(N_("someone else changed this text meanwhile; reload and try again"))
        )
    text = text.strip()
    old = note.text if note else ""
    if old == text:
        return note
    _audit(assessment, user, key=code, field=kind, old_text=old, new_text=text)
    if not text:
        note.delete()
        return None
    if note is None:
        note = CriterionNote(assessment=assessment, code=code, kind=kind)
    else:
        note.version += 1
    note.text, note.updated_by = text, user
    note.save()
    return note


# --- evidence -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceInfo:
    title: str
    number: str = ""
    issued_on: date | None = None
    issuer: str = ""


def sniff(head: bytes) -> str | None:
    """The evidence format of a file from its first bytes, or None if not allowed."""
    kind = filetype.guess(head)
    return kind.extension if kind is not None and kind.extension in EVIDENCE_TYPES else None


@transaction.atomic
def upload_evidence(
    user, assessment: UnitAssessment, upload: UploadedFile, info: EvidenceInfo, codes: list[str]
) -> Evidence:
    """Store a document and link it to criteria. The same file uploaded again for the same
    unit is not stored twice: the existing document gets the new links."""
    assessment = _open(assessment)
    part = _part(assessment, user)
    if part not in ("self", "answer"):
        raise _refuse(N_("only the unit adds evidence, while drafting or explaining"))
    for code in codes:
        _node(assessment, code)
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise _refuse(
            N_("%(name)s is %(size)s MB; files are limited to %(limit)s MB"),
            name=upload.name,
            size=format_number(Decimal(upload.size) / 2**20, 1),
            limit=format_number(Decimal(settings.EVIDENCE_MAX_BYTES) / 2**20, 1),
        )
    if not info.title.strip():
        raise _refuse(N_("give the document's title"))
    upload.seek(0)
    kind = sniff(upload.read(8192))
    if kind is None:
        raise _refuse(
            N_("%(name)s is not a PDF, Word, Excel, OpenDocument, JPG or PNG file"),
            name=upload.name,
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    evidence = Evidence.objects.filter(assessment=assessment, sha256=sha256).first()
    if evidence is None:
        upload.seek(0)
        evidence = Evidence(
            assessment=assessment,
            original_name=upload.name[:255],
            content_type=EVIDENCE_TYPES[kind],
            size=upload.size,
            sha256=sha256,
            number=info.number.strip(),
            issued_on=info.issued_on,
            issuer=info.issuer.strip(),
            title=info.title.strip(),
            uploaded_by=user,
        )
        evidence.file.save(kind, upload, save=False)
        evidence.save()
    for code in codes:
        link_evidence(user, evidence, code)
    return evidence


@transaction.atomic
def link_evidence(user, evidence: Evidence, code: str) -> EvidenceLink:
    assessment = _open(evidence.assessment)
    if _part(assessment, user) not in ("self", "answer"):
        raise _refuse(N_("only the unit adds evidence, while drafting or explaining"))
    _node(assessment, code)
    link, created = EvidenceLink.objects.get_or_create(evidence=evidence, code=code)
    if created:
        _audit(assessment, user, key=code, field="evidence", new_text=_describe(evidence))
    return link


@transaction.atomic
def unlink_evidence(user, link: EvidenceLink) -> None:
    assessment = _open(link.evidence.assessment)
    if _part(assessment, user) not in ("self", "answer"):
        raise _refuse(N_("only the unit adds evidence, while drafting or explaining"))
    _audit(assessment, user, key=link.code, field="evidence", old_text=_describe(link.evidence))
    link.delete()


@transaction.atomic
def review_evidence(user, link: EvidenceLink, review: str, reason: str = "") -> EvidenceLink:
    """The appraiser accepts a document for a criterion or finds it insufficient (why)."""
    assessment = _open(link.evidence.assessment)
    if _part(assessment, user) not in ("appraisal", "appraisal2"):
        raise _refuse(N_("only the unit's appraisers review evidence, during the appraisal"))
    if review not in EvidenceLink.Review.values:
        raise _refuse(N_("unknown review “%(review)s”"), review=review)
    if review == EvidenceLink.Review.INSUFFICIENT and not reason.strip():
        raise _refuse(N_("say why the document is insufficient"))
    old = f"{link.review} {link.review_reason}".strip()
    link.review, link.review_reason = review, reason.strip()
    link.reviewed_by, link.reviewed_at = user, timezone.now()
    link.save()
    _audit(
        assessment,
        user,
        key=link.code,
        field="review",
        old_text=old,
        new_text=f"{review} {link.review_reason}".strip(),
        reason=link.review_reason,
    )
    return link


def _describe(evidence: Evidence) -> str:
    parts = [evidence.number, evidence.title]
    if evidence.issued_on:
        parts.append(evidence.issued_on.strftime("%d/%m/%Y"))
    return " — ".join(p for p in parts if p)


# --- what blocks a submission ---------------------------------------------------------------


def unsupported(framework, self_scores, supported) -> list[str]:
    """Criteria self-scored above zero (`self_scores`: code → points) that are not in
    `supported` (codes with evidence or an explanation), in the framework's order."""
    order = {node.code: index for index, node in enumerate(framework.walk())}
    missing = (code for code, points in self_scores.items() if points > 0 and code not in supported)
    return sorted(missing, key=lambda code: order.get(code, 10**6))


def supported_codes(assessment_ids) -> dict[int, set[str]]:
    """Codes with evidence or an explanation, per assessment (2 queries)."""
    supported: dict[int, set[str]] = {}
    links = EvidenceLink.objects.filter(evidence__assessment_id__in=assessment_ids)
    for assessment_id, code in links.values_list("evidence__assessment_id", "code"):
        supported.setdefault(assessment_id, set()).add(code)
    notes = CriterionNote.objects.filter(
        assessment_id__in=assessment_ids, kind=CriterionNote.Kind.EXPLANATION
    )
    for assessment_id, code in notes.values_list("assessment_id", "code"):
        supported.setdefault(assessment_id, set()).add(code)
    return supported


def unsupported_criteria(assessment: UnitAssessment) -> list[str]:
    """Criteria self-scored above zero with neither evidence nor an explanation."""
    scores = dict(
        ScoreEntry.objects.filter(
            framework_id=assessment.round.framework_id,
            unit_id=assessment.unit_id,
            stage=Stage.SELF,
        )
        .exclude(points=None)
        .values_list("key", "points")
    )
    return unsupported(
        assessment.round.framework.domain,
        scores,
        supported_codes([assessment.pk]).get(assessment.pk, set()),
    )
