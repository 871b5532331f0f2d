"""docs/editorial-rules.md is generated from the rules table and must match it."""

from __future__ import annotations

from pathlib import Path

from tribune.editorial.rules_doc import render
from tribune.editorial.rules_table import RULES_VERSION

DOC = Path(__file__).resolve().parents[3] / "docs" / "editorial-rules.md"


def test_it_keeps_the_rules_page_in_step_with_the_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert RULES_VERSION in text
    assert text == render(), "run: python -m tribune.editorial.rules_doc > docs/editorial-rules.md"
