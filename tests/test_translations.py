"""Vietnamese first: every message has a Vietnamese translation, and the compiled catalogue
that ships is the one built from it."""

import os
import re
import shutil
import subprocess
import sys

from conftest import ROOT
from django.utils import translation

from parindex.messages import render_problem

PACKAGE = ROOT / "src" / "parindex"
PO = PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def msgids(po_text: str) -> dict[str, str]:
    entries = {}
    for block in po_text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        found = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block, re.M)
        if found:
            join = lambda text: "".join(re.findall(r'"(.*)"', text))  # noqa: E731
            entries[join(found.group(1))] = join(found.group(2))
    entries.pop("", None)
    return entries


def test_every_message_is_translated():
    entries = msgids(PO.read_text(encoding="utf-8"))
    assert len(entries) > 200
    assert [msgid for msgid, msgstr in entries.items() if not msgstr] == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_the_catalogue_lists_every_message_of_the_code(tmp_path):
    copy = tmp_path / "parindex"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "parindex.settings"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "parindex",
            "makemessages",
            "-l",
            "vi",
            "--no-location",
            "-i",
            "migrations/*",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = msgids((copy / "locale" / "vi" / "LC_MESSAGES" / "django.po").read_text("utf-8"))
    assert set(fresh) == set(msgids(PO.read_text(encoding="utf-8")))


def test_the_shipped_mo_is_compiled_from_the_po(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes()


def test_domain_messages_render_in_vietnamese():
    from parindex.domain.framework import load_framework

    _, problems = load_framework(
        {"code": "x", "title": "t", "year": 2024, "nodes": [{"code": "1", "title": "a"}]}
    )
    with translation.override("vi"):
        assert render_problem(problems.errors[0]) == "1 › max: tiêu chí cần điểm tối đa"


def test_a_composite_rule_is_described_in_vietnamese_part_by_part(library):
    import yaml

    from parindex.domain.framework import load_framework
    from parindex.messages import render

    framework, _ = load_framework(yaml.safe_load((library / "so-2021.yaml").read_text("utf-8")))
    node = framework.node_map()["7.4"]
    with translation.override("vi"):
        text = render(node.effective_rule.describe(node.effective_max))
    assert text.startswith("tổng các thành phần, tối đa 3: ") and "tối đa 1 + 1 ×" in text
