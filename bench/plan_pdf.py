"""Time the strategy plan PDF of a large workspace (the seed of strategy_pages.py).

    .venv/bin/python bench/plan_pdf.py [--runs N]

Prints the number of pages and the median and worst render time. No target is
set by the strategy issue; the analytics issue asks for reports under 10 s.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import strategy_pages  # noqa: E402  (shares the seed and the throw-away set-up)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tribune-bench-") as var:
        strategy_pages.configure(Path(var))
        from pypdf import PdfReader

        from tribune.strategy.pdf import render_plan_pdf
        from tribune.workspaces.models import Workspace

        strategy_pages.seed()
        workspace = Workspace.objects.get()
        timings, pages = [], 0
        for _ in range(args.runs):
            started = time.perf_counter()
            content = render_plan_pdf(workspace)
            timings.append(time.perf_counter() - started)
            pages = len(PdfReader(io.BytesIO(content)).pages)
        print(
            f"plan PDF of {strategy_pages.PERSONAS} personas, {strategy_pages.OBJECTIVES} "
            f"objectives, {strategy_pages.CHOICES} networks: {pages} pages, "
            f"median {statistics.median(timings):.2f} s, worst {max(timings):.2f} s "
            f"over {args.runs} runs"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
