"""One bad cell of an imported file: the shape every import reports its errors in.

The imports of posts (tribune/editorial/imports.py) and of business figures
(tribune/analytics/indicator_csv.py) check every row before writing anything and
list each bad cell; templates/errors_by_line.html shows them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    """One bad cell: the file's line (the header is line 1; 0 for the whole file), its
    column ("" for the whole row or file), and what is wrong."""

    line: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}
