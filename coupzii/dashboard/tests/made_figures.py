"""Figures built by hand for the chart and export tests, where the database adds nothing: a
funnel whose confirmed sales may outnumber the sales reported in the same range."""

from datetime import date
from decimal import Decimal

from coupzii.dashboard.figures import Figures


def funnel_figures(reported: int, confirmed: int) -> Figures:
    """A day's figures where only the funnel matters: `confirmed` may exceed `reported` (sales
    reported before the range, confirmed in it)."""
    day = date(2026, 12, 7)
    return Figures(
        start=day,
        end=day,
        days=[day],
        revenue_by_day=[Decimal("0.00")],
        orders_by_day=[0],
        orders_by_status=[],
        views_by_day=[1000],
        clicks_by_day=[50],
        cashback_by_day={},
        payouts_by_day=[Decimal("0.00")],
        top_stores_by_clicks=[],
        top_stores_by_commission=[],
        sales_by_category=[],
        funnel=[
            ("views", "Offer views", 1000),
            ("clicks", "Clicks to stores", 50),
            ("reported", "Sales reported", reported),
            ("confirmed", "Sales confirmed", confirmed),
        ],
        funnel_money={},
    )
