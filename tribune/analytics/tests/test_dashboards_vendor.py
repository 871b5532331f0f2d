"""Chart.js is pinned: the served file matches the checksum the vendor README records."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor"
CHART = "chart.js/chart.umd.min.js"


def test_it_serves_the_recorded_chart_js():
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    row = re.search(rf"^\| {re.escape(CHART)} \|.*\| ([0-9a-f]{{64}}) \|$", readme, re.M)
    assert row, "chart.js is not recorded in the vendor README"
    served = (VENDOR / CHART).read_bytes()
    assert hashlib.sha256(served).hexdigest() == row.group(1)
    assert b"Chart.js v4.6.1" in served[:200]
    # The map is not shipped: a reference to it would stop collectstatic's manifest.
    assert b"sourceMappingURL" not in served
    assert (VENDOR / "chart.js/LICENSE.md").read_text().startswith("The MIT License")
