"""Sample files of business figures, in the shapes docs/analytics.md describes.

GA4 and Plausible samples follow the exports' documented shapes (see the
"Business indicators" section); the figures themselves are made up.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).parent


def sample(name: str) -> bytes:
    """Return the bytes of a sample file of this folder."""
    return (HERE / name).read_bytes()


def plausible_zip(visitors: bytes | None = None, folder: str = "") -> bytes:
    """Return a zip like Plausible's dashboard export: visitors.csv among other reports."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder}sources.csv", "name,visitors,bounce_rate,visit_duration\n")
        archive.writestr(f"{folder}pages.csv", "name,visitors,pageviews,bounce_rate\n")
        archive.writestr(f"{folder}visitors.csv", visitors or sample("plausible_visitors.csv"))
        archive.writestr(f"{folder}countries.csv", "name,visitors\nFR,120\n")
    return buffer.getvalue()
