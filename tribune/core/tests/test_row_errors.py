"""The one RowError every import reports with (posts, business figures)."""

from tribune.analytics import indicator_csv
from tribune.core.row_errors import RowError
from tribune.editorial import imports


def test_it_is_the_same_class_for_every_import():
    assert imports.RowError is RowError
    assert indicator_csv.RowError is RowError


def test_it_gives_the_shape_the_errors_template_reads():
    error = RowError(3, "value", "Not a number.")
    assert error.as_dict() == {"line": 3, "column": "value", "message": "Not a number."}
