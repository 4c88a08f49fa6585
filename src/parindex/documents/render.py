"""A document from its template and the data: the template (docxtpl) filled with the kind's
context (`parindex.documents.context`), as DOCX, or as PDF through LibreOffice when it is
installed. A template is checked before use: a placeholder the kind does not fill is refused
by name (a typo would otherwise print nothing where a figure belongs)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils import translation

from parindex.assessments.errors import ActionRefused
from parindex.documents.context import ALLOWED, BUILD, KINDS
from parindex.documents.layout import LANGUAGES
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_

DOCX, PDF = "docx", "pdf"
FORMATS = (DOCX, PDF)
PDF_TIMEOUT = 180


def _refuse(msgid: str, **params) -> ActionRefused:
    return ActionRefused(Message(msgid, params))


def placeholders(source) -> set[str]:
    """The variables a template reads (its loops' own names left out)."""
    from docxtpl import DocxTemplate

    try:
        template = DocxTemplate(source)
        return set(template.get_undeclared_template_variables())
    except Exception as exc:  # a broken package or a syntax error in a placeholder
        raise _refuse(
            N_("the template cannot be read: %(reason)s"), reason=str(exc)[:200]
        ) from None


def template_problem(kind: str, source) -> Message | None:
    """Why a template cannot serve `kind` (an unknown placeholder, named), or None."""
    unknown = sorted(placeholders(source) - ALLOWED[kind])
    if unknown:
        return Message(
            N_("the template uses placeholders that %(kind)s does not fill: %(names)s"),
            {"kind": kind, "names": ", ".join(unknown)},
        )
    return None


def render_docx(kind: str, context: dict, source) -> bytes:
    from docxtpl import DocxTemplate

    problem = template_problem(kind, source)
    if problem is not None:
        raise ActionRefused(problem)
    if hasattr(source, "seek"):
        source.seek(0)
    template = DocxTemplate(source)
    template.render(_pictures(template, context), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def _pictures(template, context: dict) -> dict:
    """The context with its charts made images of this document."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    from parindex.documents.charts import Chart

    return {
        key: InlineImage(template, io.BytesIO(value.png), width=Mm(value.width_mm))
        if isinstance(value, Chart)
        else value
        for key, value in context.items()
    }


def to_pdf(docx: bytes) -> bytes:
    """The PDF LibreOffice makes of a DOCX (headless, in a private profile)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise _refuse(
            N_(
                "PDF needs LibreOffice, which is not installed here (Debian: apt-get install "
                "libreoffice-writer-nogui); the DOCX works without it"
            )
        )
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "document.docx"
        source.write_bytes(docx)
        try:
            done = subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation=file://{folder}/profile",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    folder,
                    str(source),
                ],
                capture_output=True,
                timeout=PDF_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise _refuse(N_("LibreOffice took too long to make the PDF")) from None
        target = source.with_suffix(".pdf")
        if done.returncode != 0 or not target.exists():
            reason = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[:200]
            raise _refuse(N_("LibreOffice could not make the PDF: %(reason)s"), reason=reason)
        return target.read_bytes()


def generate(kind: str, framework, unit, *, fmt: str = DOCX, language: str = "vi", today=None):
    """(bytes, file name) of one document of `unit` for `framework`."""
    if kind not in KINDS:
        raise _refuse(N_("unknown document “%(kind)s”"), kind=kind)
    if fmt not in FORMATS:
        raise _refuse(N_("unknown format “%(format)s”: docx or pdf"), format=fmt)
    if language not in LANGUAGES:
        raise _refuse(
            N_("no templates in “%(language)s”: %(languages)s"),
            language=language,
            languages=", ".join(LANGUAGES),
        )
    # The context's words in the document's language, whatever the reader's page is in.
    with translation.override(language):
        context = BUILD[kind](framework, unit, today)
    from parindex.documents.templates_admin import source_for

    document = render_docx(kind, context, source_for(kind, framework.year, language))
    if fmt == PDF:
        document = to_pdf(document)
    return document, file_name(kind, framework, unit, fmt, language)


def file_name(kind: str, framework, unit, fmt: str, language: str = "vi") -> str:
    suffix = "" if language == "vi" else f"-{language}"
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{kind}-{unit.code}-{framework.code}{suffix}")
    return f"{text.strip('-')}.{fmt}"


def appendix(kind: str, framework, unit, language: str = "vi") -> tuple[bytes, str] | None:
    """The workbook a kind comes with (the self-assessment's), or None."""
    from parindex.documents.appendix import self_assessment_workbook
    from parindex.documents.context import SELF_ASSESSMENT

    if kind != SELF_ASSESSMENT:
        return None
    if language not in LANGUAGES:
        language = "vi"
    name = file_name(kind, framework, unit, "xlsx", language).replace(".xlsx", "-appendix.xlsx")
    with translation.override(language):
        return self_assessment_workbook(framework, unit), name
