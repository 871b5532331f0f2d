"""Reading files of business figures: Tribune, GA4 and Plausible formats (pure, no database)."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from tribune.analytics.forms_indicators import Lookups, parse_value, read_figure
from tribune.analytics.indicator_csv import (
    GA4,
    MAX_FILE_BYTES,
    PLAUSIBLE,
    TRIBUNE,
    FileRefused,
    ImportSettings,
    read_figures,
)
from tribune.analytics.tests.samples import plausible_zip, sample

LOOKUPS = Lookups(
    objectives={7: "Grow the newsletter", 8: "Sell the box"}, today=date(2026, 11, 26)
)


def read(raw: bytes, fmt: str = TRIBUNE, **choices):
    return read_figures(raw, ImportSettings(fmt=fmt, **choices), LOOKUPS)


class TestTribuneFormat:
    def test_it_reads_every_business_indicator_and_a_custom_one_by_title(self):
        reading = read(sample("tribune_figures.csv"))
        assert reading.errors == []
        assert [(f.kpi, f.day.isoformat(), f.value) for f in reading.figures] == [
            ("site_traffic", "2026-11-02", Decimal("1834")),
            ("downloads", "2026-11-02", Decimal("57")),
            ("press_coverage", "2026-11-03", Decimal("2")),
            ("sales", "2026-11-03", Decimal("14")),
            ("contacts", "2026-11-04", Decimal("9")),
            ("custom", "2026-11-04", Decimal("38")),
        ]
        assert reading.figures[-1].objective_id == 7
        assert reading.figures[2].note == "Ouest-France, Les Echos"

    def test_it_reads_excel_files_with_a_bom_semicolons_and_decimal_commas(self):
        reading = read(sample("tribune_excel_semicolon.csv"))
        assert reading.errors == []
        assert [f.value for f in reading.figures] == [Decimal("1250.50"), 7, 2019]
        assert reading.figures[1].note == "Formulaire; téléphone"

    def test_it_lists_every_bad_cell_with_its_line_and_column_and_keeps_nothing(self):
        reading = read(sample("tribune_errors.csv"))
        assert reading.figures == []
        where = {(e.line, e.column): e.message for e in reading.errors}
        assert set(where) == {(3, "date"), (4, "indicator"), (5, "value"), (6, "objective")}
        assert "2026-02-30" in where[(3, "date")]
        assert "not a business indicator" in where[(4, "indicator")]
        assert "thousands separator" in where[(5, "value")]
        assert "custom indicator names its objective" in where[(6, "objective")]

    def test_it_refuses_unknown_and_missing_columns_on_line_1(self):
        reading = read(b"day,indicator,amount\n2026-11-02,sales,3\n")
        columns = {(e.line, e.column) for e in reading.errors}
        assert {(1, "day"), (1, "amount"), (1, "date"), (1, "value")} <= columns

    def test_it_refuses_a_day_given_twice_for_the_same_indicator(self):
        reading = read(b"date,indicator,value\n2026-11-02,sales,3\n2026-11-02,sales,4\n")
        assert [(e.line, e.column) for e in reading.errors] == [(3, "date")]
        assert "Line 2" in reading.errors[0].message

    def test_it_explains_a_decimal_comma_in_a_comma_separated_file(self):
        reading = read(b"date,indicator,value\n2026-11-02,sales,12,5\n")
        assert reading.errors[0].line == 2 and "double quotes" in reading.errors[0].message

    def test_it_names_a_custom_objective_by_id_and_refuses_one_on_another_indicator(self):
        text = b"date,indicator,value,objective\n2026-11-02,custom,3,8\n2026-11-02,sales,3,8\n"
        reading = read(text)
        assert [(e.line, e.column) for e in reading.errors] == [(3, "objective")]

    def test_it_refuses_a_day_that_has_not_happened_yet(self):
        reading = read(b"date,indicator,value\n2026-11-27,sales,3\n")
        assert "not happened yet" in reading.errors[0].message

    def test_it_says_an_empty_file_or_a_header_alone_has_nothing(self):
        with pytest.raises(FileRefused, match="empty"):
            read(b"")
        reading = read(b"date,indicator,value\n")
        assert reading.errors[0].message == "The file has no figures to import."


class TestGoogleAnalytics4:
    def test_it_reads_the_date_table_under_the_comment_lines(self):
        reading = read(sample("ga4_traffic_by_date.csv"), GA4)
        assert reading.errors == []
        assert len(reading.figures) == 7
        first = reading.figures[0]
        assert (first.kpi, first.day, first.value, first.line) == (
            "site_traffic",
            date(2026, 11, 1),
            412,
            11,
        )

    @pytest.mark.parametrize(("metric", "value"), [("active_users", 356), ("views", 1093)])
    def test_it_takes_the_metric_the_person_chose(self, metric, value):
        reading = read(sample("ga4_traffic_by_date.csv"), GA4, ga4_metric=metric)
        assert reading.figures[0].value == value

    def test_it_skips_tables_without_a_date_column(self):
        reading = read(sample("ga4_two_tables.csv"), GA4, ga4_metric="active_users")
        assert [f.day.day for f in reading.figures] == [1, 2, 3]

    def test_it_refuses_a_file_without_a_date_table_or_the_chosen_metric(self):
        with pytest.raises(FileRefused, match="Date"):
            read(b"# x\nNth day,Active users\n0000,3\n", GA4)
        with pytest.raises(FileRefused, match="Sessions"):
            read(b"Date,Active users\n20261101,3\n", GA4)

    def test_it_refuses_several_rows_for_one_day(self):
        text = b"Date,Session source,Sessions\n20261101,google,3\n20261101,(direct),4\n"
        reading = read(text, GA4)
        assert reading.errors[0].column == "Date" and "one row per day" in reading.errors[0].message

    def test_it_explains_the_date_form_of_ga4(self):
        reading = read(b"Date,Sessions\n2026-11-01,3\n", GA4)
        assert "YYYYMMDD" in reading.errors[0].message


class TestPlausible:
    def test_it_reads_visitors_csv(self):
        reading = read(sample("plausible_visitors.csv"), PLAUSIBLE)
        assert [f.value for f in reading.figures] == [231, 219, 264, 258, 247]

    @pytest.mark.parametrize("folder", ["", "Plausible export example.org/"])
    def test_it_picks_visitors_csv_out_of_the_dashboard_zip(self, folder):
        reading = read(plausible_zip(folder=folder), PLAUSIBLE, plausible_metric="pageviews")
        assert reading.member.endswith("visitors.csv")
        assert [f.value for f in reading.figures][:2] == [612, 580]

    def test_it_refuses_monthly_and_hourly_rows(self):
        with pytest.raises(FileRefused, match="one per day"):
            read(sample("plausible_monthly.csv"), PLAUSIBLE)
        hourly = b"date,visitors,pageviews,visits\n2026-11-25 10:00:00,3,4,3\n"
        with pytest.raises(FileRefused, match="per hour"):
            read(hourly, PLAUSIBLE)

    def test_it_refuses_a_goal_filtered_export(self):
        text = b"date,unique_conversions,total_conversions,conversion_rate\n2026-11-01,3,4,1.2\n"
        with pytest.raises(FileRefused, match="goal"):
            read(text, PLAUSIBLE)

    def test_it_refuses_a_zip_without_visitors_csv_or_for_another_format(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("sources.csv", "name,visitors\n")
        with pytest.raises(FileRefused, match="visitors.csv"):
            read(buffer.getvalue(), PLAUSIBLE)
        with pytest.raises(FileRefused, match="zip"):
            read(plausible_zip(), TRIBUNE)


class TestWholeFiles:
    def test_it_refuses_binary_and_non_utf8_files(self):
        with pytest.raises(FileRefused, match="UTF-8"):
            read(b"\x89PNG\r\n\x1a\n\xff\xfe\xfa")
        with pytest.raises(FileRefused, match="not a CSV"):
            read(b"date\x00indicator\n")
        with pytest.raises(FileRefused, match="damaged"):
            read(b"PK\x03\x04garbage", PLAUSIBLE)

    def test_it_refuses_a_file_over_the_size_limit_before_reading_it(self):
        with pytest.raises(FileRefused, match="5 MB"):
            read(b"x" * (MAX_FILE_BYTES + 1))

    def test_it_reads_utf16_files_excel_saves_as_unicode_text(self):
        text = "date\tindicator\tvalue\n2026-11-02\tsales\t3\n".encode("utf-16")
        assert read(text).figures[0].value == 3


class TestOneFigure:
    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("1250", "1250"),
            ("1250.5", "1250.5"),
            ("1 250,50", "1250.50"),
            ("-3", "-3"),
            ("007", "7"),
        ],
    )
    def test_it_reads_numbers_with_a_point_or_a_comma(self, text, value):
        assert parse_value(text) == Decimal(value)

    @pytest.mark.parametrize("text", ["", "1,234", "1.2.3", "12e3", "NaN", "١٢", "1" * 15])
    def test_it_refuses_what_is_not_a_plain_number(self, text):
        with pytest.raises(Exception) as caught:
            parse_value(text)
        assert caught.type.__name__ == "ValidationError"

    def test_it_refuses_negative_figures_except_for_custom_indicators(self):
        cells = {"date": "2026-11-02", "indicator": "sales", "value": "-1"}
        assert "negative" in read_figure(cells, LOOKUPS)[1]["value"]
        cells |= {"indicator": "custom", "objective": "7"}
        assert read_figure(cells, LOOKUPS)[0].value == -1
