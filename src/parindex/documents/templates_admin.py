"""Replacing a document's template: who may (a superuser or a CCHC officer), what is checked
(a Word document whose placeholders the kind fills, named when it does not), and which
template is in force for a framework's year (the newest upload for that year, else for every
year, else the shipped one)."""

from __future__ import annotations

import io
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from parindex.assessments.access import can_open_rounds
from parindex.assessments.criteria import checked_upload
from parindex.assessments.errors import ActionRefused
from parindex.documents import builtin
from parindex.documents.context import KINDS
from parindex.documents.layout import LANGUAGES
from parindex.documents.models import DocumentSigner, DocumentTemplate
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_


def _refuse(msgid: str, **params) -> ActionRefused:
    return ActionRefused(Message(msgid, params))


def may_manage(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or can_open_rounds(user)))


def in_force(kind: str, year: int | None, language: str = "vi") -> DocumentTemplate | None:
    """The uploaded template in force, or None (the shipped one is)."""
    uploads = DocumentTemplate.objects.filter(
        kind=kind, language=language, withdrawn_at__isnull=True
    ).order_by("-uploaded_at", "-id")
    return uploads.filter(year=year).first() or uploads.filter(year__isnull=True).first()


def source_for(kind: str, year: int | None, language: str = "vi"):
    """What `render_docx` reads: the uploaded template's bytes, or the shipped file's path."""
    upload = in_force(kind, year, language)
    if upload is None:
        return str(builtin.path_of(kind, language))
    try:
        with upload.file.open("rb") as handle:
            return io.BytesIO(handle.read())
    except OSError:
        # The row outlived its file (a restore without the media folder): say which one, so
        # that an officer withdraws it or uploads it again, rather than a server error.
        raise _refuse(
            N_(
                "the template in force for %(kind)s (%(name)s) has lost its file: withdraw it "
                "on the templates page, or upload it again"
            ),
            kind=kind,
            name=upload.original_name,
        ) from None


@transaction.atomic
def upload(user, kind: str, year: int | None, file, language: str = "vi") -> DocumentTemplate:
    from parindex.documents.render import template_problem

    if not may_manage(user):
        raise _refuse(N_("only a CCHC officer replaces the templates of the documents"))
    if kind not in KINDS:
        raise _refuse(N_("unknown document “%(kind)s”"), kind=kind)
    if language not in LANGUAGES:
        raise _refuse(
            N_("no templates in “%(language)s”: %(languages)s"),
            language=language,
            languages=", ".join(LANGUAGES),
        )
    extension, sha256 = checked_upload(file)
    if extension != "docx":
        raise _refuse(N_("%(name)s is not a Word document (.docx)"), name=file.name)
    file.seek(0)
    problem = template_problem(kind, io.BytesIO(file.read()))
    if problem is not None:
        raise ActionRefused(problem)
    file.seek(0)
    template = DocumentTemplate(
        kind=kind,
        language=language,
        year=year,
        original_name=Path(file.name).name[:255],
        sha256=sha256,
        uploaded_by=user,
    )
    template.file.save("docx", file, save=False)
    template.save()
    return template


def withdraw(user, template: DocumentTemplate) -> None:
    """Back to the template before it (an older upload, or the shipped one)."""
    if not may_manage(user):
        raise _refuse(N_("only a CCHC officer replaces the templates of the documents"))
    if template.withdrawn_at is None:
        template.withdrawn_at = timezone.now()
        template.withdrawn_by = user
        template.save(update_fields=["withdrawn_at", "withdrawn_by"])


SIGNER_LIMITS = {"authority": 100, "title": 100, "name": 200}


@transaction.atomic
def set_signer(user, unit, *, authority: str, title: str, name: str) -> DocumentSigner:
    """Who signs `unit`'s documents from now on (the block is printed when a document is made,
    so the documents made before keep theirs). Authority and title in capitals, as Decree 30
    writes them."""
    if not may_manage(user):
        raise _refuse(N_("only a CCHC officer sets who signs the documents"))
    values = {
        "authority": " ".join(authority.split()).upper(),
        "title": " ".join(title.split()).upper(),
        "name": " ".join(name.split()),
    }
    if any(len(values[field]) > limit for field, limit in SIGNER_LIMITS.items()):
        raise _refuse(
            N_(
                "the signature is too long: at most 100 characters for the authority and the "
                "title, 200 for the name"
            )
        )
    if not values["title"] or not values["name"]:
        raise _refuse(N_("the signer needs a title and a name"))
    signer, _created = DocumentSigner.objects.update_or_create(
        unit=unit, defaults={**values, "updated_by": user}
    )
    return signer


def clear_signer(user, unit) -> None:
    """Back to the default: a deputy signs for the head (the unit's first leader)."""
    if not may_manage(user):
        raise _refuse(N_("only a CCHC officer sets who signs the documents"))
    DocumentSigner.objects.filter(unit=unit).delete()
