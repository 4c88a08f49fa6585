"""The text of a report to check: a Word document (.docx: its paragraphs and its tables' cells),
a PDF (its text layer) or plain text (UTF-8). What a file may cost is capped before it is
parsed: its size, what a .docx unpacks to, a PDF's pages."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import filetype

from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.tables import file_problem

MAX_BYTES = 20 * 2**20
MAX_UNPACKED = 100 * 2**20
MAX_PAGES = 500


class ReadRefused(ValueError):
    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    path = Path(path)
    problem = file_problem(path, max_bytes)
    if problem is not None:
        raise ReadRefused(problem)
    with path.open("rb") as handle:
        head = handle.read(8192)
    kind = filetype.guess(head)
    extension = kind.extension if kind else None
    if extension == "docx" or (extension == "zip" and path.suffix.lower() == ".docx"):
        return docx_text(path)
    if extension == "pdf":
        return pdf_text(path)
    if extension is not None:
        raise ReadRefused(
            Message(
                N_("%(name)s is not a Word document (.docx), a PDF or a text file"),
                {"name": path.name},
            )
        )
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ReadRefused(Message(N_("%(name)s is not UTF-8 text"), {"name": path.name})) from None


def docx_text(path: Path) -> str:
    """The paragraphs in order, then each table cell's paragraphs, one per line."""
    import docx

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        unpacked = None
    if unpacked is None or unpacked > MAX_UNPACKED:
        raise ReadRefused(
            Message(
                N_("%(name)s is not a Word document (.docx) that can be read"),
                {"name": path.name},
            )
        )
    try:
        document = docx.Document(str(path))
    except Exception:  # python-docx raises a variety of errors on a broken package
        raise ReadRefused(
            Message(
                N_("%(name)s is not a Word document (.docx) that can be read"),
                {"name": path.name},
            )
        ) from None
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            seen = set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # a merged cell repeats itself
                    continue
                seen.add(id(cell._tc))
                lines.extend(paragraph.text for paragraph in cell.paragraphs)
    return "\n".join(line for line in lines if line.strip())


def pdf_text(path: Path) -> str:
    """The text layer, its lines joined back into paragraphs (a PDF breaks a sentence at the
    end of every printed line; a blank line or a list mark starts a new one)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if len(reader.pages) > MAX_PAGES:
            raise ReadRefused(
                Message(
                    N_("%(name)s has %(pages)s pages; at most %(max)s are checked"),
                    {"name": path.name, "pages": len(reader.pages), "max": MAX_PAGES},
                )
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError):
        raise ReadRefused(
            Message(N_("%(name)s is not a PDF that can be read"), {"name": path.name})
        ) from None
    return join_lines("\n".join(pages))


_NEW_LINE = re.compile(r"^\s*(?:[-–+•*]|[a-zđ]\)|\d+[.)]\s|[IVX]+\.\s)")


def join_lines(text: str) -> str:
    """Printed lines back into paragraphs."""
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            out.append("")
        elif out and out[-1] and not _NEW_LINE.match(line):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line.strip())
    return "\n".join(line for line in out if line)
