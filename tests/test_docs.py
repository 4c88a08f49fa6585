"""Every YAML example of docs/framework-format.md is valid, and covers every rule type."""

import re

import yaml
from conftest import ROOT

from parindex.domain.framework import load_framework
from parindex.domain.rules import RULE_TYPES

DOC = ROOT / "docs" / "framework-format.md"


def examples():
    return [
        yaml.safe_load(block)
        for block in re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    ]


def test_every_example_is_valid_and_every_rule_type_has_one():
    seen = set()
    for example in examples():
        data = (
            example
            if isinstance(example, dict)
            else {"code": "doc-2024", "title": "Ví dụ", "year": 2024, "nodes": example}
        )
        framework, problems = load_framework(data)
        assert framework is not None, (example, [str(p) for p in problems.errors])
        seen |= {leaf.effective_rule.TYPE for leaf in framework.leaves()}
        for leaf in framework.leaves():
            rule = leaf.effective_rule
            if rule.TYPE == "composite":
                seen |= {part.rule.TYPE for part in rule.parts}
    assert seen == set(RULE_TYPES)
