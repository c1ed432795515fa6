"""The charts (coupzii.dashboard.charts): table cells with counts grouped the Indian way, like
the cards and every amount; the funnel's shares; the titled axes of two-axis charts."""

from django.utils import translation

from coupzii.dashboard.charts import COUNT, MONEY, CellText, shown_charts

from .made_figures import funnel_figures


def test_counts_in_chart_tables_use_lakh_grouping_like_the_cards():
    for language in ("en", "hi"):
        with translation.override(language):
            cell = CellText()
            assert cell(1234567, COUNT) == "12,34,567"
            assert cell(999, COUNT) == "999"
            assert cell(1000, COUNT) == "1,000"
            assert cell(1234567, MONEY) == "₹12,34,567.00"


# --- The funnel and the two-axis charts ----------------------------------------------------------


def test_a_funnel_step_larger_than_the_one_before_shows_no_share():
    shown = shown_charts(funnel_figures(reported=29, confirmed=30))["funnel"]

    shares = {row[0][0]: row[2][0] for row in shown.rows}
    assert shares == {
        "Offer views": "—",
        "Clicks to stores": "5.0%",
        "Sales reported": "58.0%",
        "Sales confirmed": "—",  # 30 of 29 would read "103.4%"
    }
    assert "can exceed the one before" in shown.note


def test_a_funnel_step_equal_to_the_one_before_is_100_percent():
    shown = shown_charts(funnel_figures(reported=30, confirmed=30))["funnel"]

    assert shown.rows[3][2][0] == "100.0%"


def test_the_traffic_chart_titles_both_axes_and_gives_clicks_the_right_one():
    config = shown_charts(funnel_figures(reported=1, confirmed=1))["traffic"].config

    assert [dataset["label"] for dataset in config["datasets"]] == ["Views", "Clicks"]
    # Views on the left axis, clicks on the right: each axis titled after its line.
    assert config["secondary"] == [1]
    assert config["axisTitles"] == ["Views a day", "Clicks a day"]


def test_axis_titles_are_translated_for_the_page():
    with translation.override("hi"):
        config = shown_charts(funnel_figures(reported=1, confirmed=1))["revenue"].config

    assert len(config["axisTitles"]) == 2
    assert all(isinstance(title, str) and title for title in config["axisTitles"])


def test_charts_with_one_value_axis_have_no_axis_titles():
    shown = shown_charts(funnel_figures(reported=1, confirmed=1))

    assert shown["cashback"].config["axisTitles"] == []
    assert shown["funnel"].config["axisTitles"] == []
