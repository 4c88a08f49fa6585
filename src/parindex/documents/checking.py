"""The number checker over a file: `parindex document check` and the upload page share it."""

from __future__ import annotations

from pathlib import Path

from parindex.documents.reading import read_text
from parindex.domain import numbercheck
from parindex.messages import render


def check_file(path: Path) -> list[numbercheck.Finding]:
    """The contradictions in a report (ReadRefused when the file cannot be read)."""
    return numbercheck.check(read_text(path))


def findings_json(findings: list[numbercheck.Finding]) -> dict:
    """`{"findings": [{"kind", "sentence", "stated", "computed", "suggestion", "numbers"}]}`, the
    suggestion in the active language."""
    return {
        "findings": [
            {
                "kind": f.kind,
                "sentence": f.sentence,
                "stated": f.stated,
                "computed": f.computed,
                "suggestion": render(f.suggestion),
                "numbers": list(f.numbers),
            }
            for f in findings
        ]
    }
