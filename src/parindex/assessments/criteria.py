"""Actions on one criterion of one unit's assessment: points, explanations and comments,
evidence and its review. Each checks who may act in the current state, refuses a stale edit
(optimistic locking on a version number) and writes the audit trail.

Who edits what (see `workflow.EDITABLE` and, for numbers, `workflow.WRITABLE`):
- unit staff, while drafting: self points, explanations, evidence;
- unit staff, while explanations are requested: answers and more evidence;
- the unit's appraisers, in round 1 / round 2: appraisal points, comments, evidence reviews;
- the CCHC officer, until the results are published: survey points, bonus and penalty
  (the `final` stage).

Points and figures go through the one score gate (`parindex.assessments.scores`); every
function here takes the caller's access object (`parindex.assessments.access`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from parindex.assessments.access import Access
from parindex.assessments.errors import ActionRefused, Conflict
from parindex.assessments.models import (
    AuditEntry,
    CriterionNote,
    Evidence,
    EvidenceLink,
    ScoreEntry,
    Source,
    Stage,
    UnitAssessment,
)
from parindex.assessments.scores import WriteRefused, write_one
from parindex.domain import workflow
from parindex.domain.framework import BONUS, PENALTY
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import format_number
from parindex.domain.scoring import score_unit, self_scored, stage_data

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
    source=Source.TYPED,
):
    AuditEntry.objects.create(
        framework_id=assessment.framework_id,
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
        source=source,
    )


def _node(assessment: UnitAssessment, code: str):
    node = assessment.framework.domain.node_map().get(code)
    if node is None or not node.is_leaf:
        raise _refuse(N_("“%(code)s” is not a criterion of this framework"), code=code)
    return node


def _part(access: Access) -> str:
    part = access.part
    if part is None:
        raise _refuse(
            N_("you cannot change this assessment while it is %(state)s"),
            state=Message(workflow.STATE_LABELS[access.state]),
        )
    return part


# --- points and figures: through the one gate -----------------------------------------------


def _typed(access: Access, key: str, column: str, raw, expected_version, reason):
    """One typed figure through the gate; an empty field clears the entry. The gate's first
    problem becomes the refusal (a conflict when the value changed meanwhile)."""
    clear = raw is None or (isinstance(raw, str) and not raw.strip())
    try:
        return write_one(
            access,
            key,
            **{column: None if clear else raw},
            clear=clear,
            expected_version=expected_version,
            reason=reason,
        )
    except WriteRefused as exc:
        message = exc.problems[0].message
        raise (Conflict(message) if exc.conflict else ActionRefused(message)) from None


def set_points(
    access: Access,
    code: str,
    points,
    *,
    expected_version: int | None,
    reason: str = "",
) -> ScoreEntry | None:
    """Enter (or clear, with None or "") the points of a criterion, a survey criterion, BONUS
    or PENALTY, at the stage the table gives the user's role now. `expected_version` is the
    entry's version the user saw (None: there was no entry)."""
    if code not in (BONUS, PENALTY):
        _node(access.assessment, code)
    return _typed(access, code, "points", points, expected_version, reason)


def set_value(
    access: Access,
    name: str,
    raw,
    *,
    expected_version: int | None,
    reason: str = "",
) -> ScoreEntry | None:
    """Enter (or clear, with None or "") the figure of a named input (dossiers.received …);
    every criterion reading it is recomputed by the engine."""
    if name not in access.assessment.framework.domain.inputs():
        raise _refuse(N_("“%(code)s” is not an input of this framework"), code=name)
    return _typed(access, name, "value", raw, expected_version, reason)


# --- explanations and comments --------------------------------------------------------------


# `set_note(..., expected_version=ANY_VERSION)`: the text replaces whatever is stored (a sheet's
# explanation column, which records no version of the text it was downloaded with).
ANY_VERSION = object()


@transaction.atomic
def set_note(
    access: Access,
    code: str,
    text: str,
    *,
    expected_version: int | object | None,
    source: str = Source.TYPED,
) -> CriterionNote | None:
    """The explanation, answer or comment the user writes on a criterion in this state (the
    criterion page, or the explanation column of an uploaded sheet: `source`)."""
    assessment, user = access.assessment, access.user
    _node(assessment, code)
    kind = PART_NOTE[_part(access)]
    note = (
        CriterionNote.objects.select_for_update()
        .filter(assessment=assessment, code=code, kind=kind)
        .first()
    )
    if expected_version is not ANY_VERSION and expected_version != (note.version if note else None):
        raise Conflict(
            Message(N_("someone else changed this text meanwhile; reload and try again"))
        )
    text = text.strip()
    old = note.text if note else ""
    if old == text:
        return note
    _audit(assessment, user, key=code, field=kind, old_text=old, new_text=text, source=source)
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


def checked_upload(upload: UploadedFile) -> tuple[str, str]:
    """(format, SHA-256) of an uploaded document, or refused: larger than the limit, or not a
    format we keep (recognised by the content, never by the name). Every upload of a document
    (evidence of a criterion, of a remediation item) goes through here."""
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise _refuse(
            N_("%(name)s is %(size)s MB; files are limited to %(limit)s MB"),
            name=upload.name,
            size=format_number(Decimal(upload.size) / 2**20, 1),
            limit=format_number(Decimal(settings.EVIDENCE_MAX_BYTES) / 2**20, 1),
        )
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
    return kind, digest.hexdigest()


@transaction.atomic
def upload_evidence(
    access: Access, upload: UploadedFile, info: EvidenceInfo, codes: list[str]
) -> Evidence:
    """Store a document and link it to criteria. The same file uploaded again for the same
    unit is not stored twice: the existing document gets the new links."""
    assessment, user = access.assessment, access.user
    if not access.adds_evidence:
        raise _refuse(N_("only the unit adds evidence, while drafting or explaining"))
    for code in codes:
        _node(assessment, code)
    if not info.title.strip():
        raise _refuse(N_("give the document's title"))
    kind, sha256 = checked_upload(upload)
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
        link_evidence(access, evidence, code)
    return evidence


@transaction.atomic
def link_evidence(access: Access, evidence: Evidence, code: str) -> EvidenceLink:
    assessment, user = access.assessment, access.user
    if evidence.assessment_id != assessment.pk:
        raise _refuse(N_("this document belongs to another assessment"))
    if not access.adds_evidence:
        raise _refuse(N_("only the unit adds evidence, while drafting or explaining"))
    _node(assessment, code)
    link, created = EvidenceLink.objects.get_or_create(evidence=evidence, code=code)
    if created:
        _audit(assessment, user, key=code, field="evidence", new_text=_describe(evidence))
    return link


@transaction.atomic
def unlink_evidence(access: Access, link: EvidenceLink) -> None:
    assessment, user = access.assessment, access.user
    if link.evidence.assessment_id != assessment.pk:
        raise _refuse(N_("this document belongs to another assessment"))
    if not access.adds_evidence:
        raise _refuse(N_("only the unit adds evidence, while drafting or explaining"))
    _audit(assessment, user, key=link.code, field="evidence", old_text=_describe(link.evidence))
    link.delete()


@transaction.atomic
def review_evidence(
    access: Access, link: EvidenceLink, review: str, reason: str = ""
) -> EvidenceLink:
    """The appraiser accepts a document for a criterion or finds it insufficient (why)."""
    assessment, user = access.assessment, access.user
    if link.evidence.assessment_id != assessment.pk:
        raise _refuse(N_("this document belongs to another assessment"))
    if not access.reviews_evidence:
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


def download_name(evidence: Evidence) -> str:
    """The name a document is offered under: its own, ending with the extension of the type
    found in its content, never a misleading one ("bao-cao.exe" stored as a PDF is offered as
    "bao-cao.pdf", a "scan" stored as a PNG as "scan.png")."""
    name = evidence.original_name.replace("\\", "/").rsplit("/", 1)[-1] or "document"
    extension = {mime: ext for ext, mime in EVIDENCE_TYPES.items()}.get(evidence.content_type)
    if extension is None:
        return name
    stem, dot, current = name.rpartition(".")
    if dot and stem and re.fullmatch(r"(?=.*[A-Za-z])[A-Za-z0-9]{1,5}", current):
        name = stem  # an extension ("exe", "PDF", "jpeg"), not part of the title ("2024")
    return f"{name}.{extension}"


def _describe(evidence: Evidence) -> str:
    parts = [evidence.number, evidence.title]
    if evidence.issued_on:
        parts.append(evidence.issued_on.strftime("%d/%m/%Y"))
    return " — ".join(p for p in parts if p)


# --- what blocks a submission ---------------------------------------------------------------


def unsupported(framework, self_scores, supported) -> list[str]:
    """Criteria self-scored above zero (`self_scores`: code → points, typed or computed from
    the unit's figures, see `scoring.self_scored`) that are not in `supported` (codes with
    evidence or an explanation), in the framework's order."""
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
    rows = ScoreEntry.objects.filter(
        framework_id=assessment.framework_id, unit_id=assessment.unit_id, stage=Stage.SELF
    ).values_list("stage", "key", "points", "value")
    framework = assessment.framework.domain
    return unsupported(
        framework,
        self_scored(score_unit(framework, stage_data(rows))),
        supported_codes([assessment.pk]).get(assessment.pk, set()),
    )
