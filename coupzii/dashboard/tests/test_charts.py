"""The charts' table cells (coupzii.dashboard.charts.CellText): counts grouped the Indian way,
like the cards and every amount."""

from django.utils import translation

from coupzii.dashboard.charts import COUNT, MONEY, CellText


def test_counts_in_chart_tables_use_lakh_grouping_like_the_cards():
    for language in ("en", "hi"):
        with translation.override(language):
            cell = CellText()
            assert cell(1234567, COUNT) == "12,34,567"
            assert cell(999, COUNT) == "999"
            assert cell(1000, COUNT) == "1,000"
            assert cell(1234567, MONEY) == "₹12,34,567.00"
