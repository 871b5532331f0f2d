"""FullCalendar is pinned: the served files match the checksums the vendor README records."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"
FILES = [
    "fullcalendar/index.global.min.js",
    "fullcalendar/locales/fr.global.min.js",
    "fullcalendar/locales/en-gb.global.min.js",
]


def test_it_serves_the_recorded_fullcalendar_files():
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for name in FILES:
        row = re.search(rf"^\| {re.escape(name)} \|.*\| ([0-9a-f]{{64}}) \|$", readme, re.M)
        assert row, f"{name} is not recorded in the vendor README"
        digest = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
        assert digest == row.group(1), name
    assert "6.1.21" in (VENDOR / "fullcalendar/index.global.min.js").read_text()[:200]
    assert (VENDOR / "fullcalendar/LICENSE.md").read_text().startswith("MIT License")
