"""vCommission: the TUNE (HasOffers) Affiliate API's conversion report.

Wire format, verified against developers.tune.com (Affiliate_Report::getConversions, the
affiliate ConversionReport model, its note on filtering Stat.conversion_status) and public
HasOffers integrations:

- GET {base}/Apiv3/json?api_key=...&Target=Affiliate_Report&Method=getConversions with
  fields[]=Stat.*, filters[Stat.date][conditional]=BETWEEN&filters[Stat.date][values][]=
  YYYY-MM-DD (twice), sort[Stat.datetime]=asc, limit and page (1-based).
- Every answer is HTTP 200 with {"response": {"status": 1 | -1, "data": ..., "errorMessage":
  ...}}: a bad api_key is status -1 with an errorMessage, not an HTTP error.
- data = {"page", "current", "count", "pageCount", "data": [{"Stat": {...}}, ...]}.
- Stat.conversion_status is approved, pending or rejected; Stat.datetime is "YYYY-MM-DD
  HH:MM:SS" in the network's own timezone; Stat.affiliate_info1 is aff_sub, where we put the
  click id; Stat.ad_id is the transaction id; Stat.payout and Stat.sale_amount are amounts.

Assumed: vCommission's host (the settings default api.vcommission.com; a HasOffers network is
usually <network>.api.hasoffers.com, so set VCOMMISSION_BASE_URL to what the vCommission
dashboard shows) and its timezone (IST). We key a sale on Stat.ad_id, the click's transaction
id, rather than the conversion id, because the postback's {transaction_id} macro carries that
same value: pull and postback must name a sale the same way or it would be counted twice.
Configure the postback (Tools -> Postback, "Server postback") as:

    https://<site>/api/v1/affiliate/postback/vcommission/?secret=<VCOMMISSION_POSTBACK_SECRET>
        &transaction_id={transaction_id}&aff_sub={aff_sub}&sale_amount={sale_amount}
        &payout={payout}&status={status}&datetime={datetime}&currency={currency}
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from . import common
from .adapter import NetworkAdapter, SaleFieldNames
from .base import NetworkError, SaleStatus

STATUSES = {
    "pending": SaleStatus.PENDING,
    "approved": SaleStatus.CONFIRMED,
    "rejected": SaleStatus.DECLINED,
}
REPORT_FIELDS = (
    "Stat.ad_id",
    "Stat.affiliate_info1",
    "Stat.sale_amount",
    "Stat.payout",
    "Stat.conversion_status",
    "Stat.datetime",
    "Stat.currency",
    "Stat.offer_id",
)
PAGE_SIZE = 1000
REPORT_TZ = common.IST


class VCommissionAdapter(NetworkAdapter):
    name = "vcommission"
    credential_keys = ("api_key",)
    page_size = PAGE_SIZE
    statuses = STATUSES
    report_fields = SaleFieldNames(
        transaction_id="ad_id",
        sub_id="affiliate_info1",
        sale_amount="sale_amount",
        commission="payout",
        status="conversion_status",
        occurred_at="datetime",
        currency="currency",
    )
    postback_fields = SaleFieldNames(
        transaction_id="transaction_id",
        sub_id="aff_sub",
        sale_amount="sale_amount",
        commission="payout",
        status="status",
        occurred_at="datetime",
        currency="currency",
    )
    # TUNE fires the postback when it records the conversion, which starts pending.
    postback_default_status = SaleStatus.PENDING

    def parse_moment(self, text: str) -> datetime:
        return common.parse_wall_clock(text, REPORT_TZ)

    def now(self) -> datetime:
        return datetime.now(REPORT_TZ)

    # --- pull -------------------------------------------------------------------------------

    def report_rows(self, *, since: datetime, until: datetime) -> Iterator[dict]:
        page_number = 1
        while True:
            page = self._report_page(since=since, until=until, page_number=page_number)
            yield from _stat_rows(page)
            if page_number >= _page_count(page):
                return
            page_number += 1

    def _report_page(self, *, since: datetime, until: datetime, page_number: int) -> dict:
        body = common.request_json(
            self.session,
            "GET",
            f"{self.base_url}/Apiv3/json",
            params=self._report_params(since=since, until=until, page_number=page_number),
        )
        return _report_data(body)

    def _report_params(self, *, since: datetime, until: datetime, page_number: int) -> list:
        # A list of pairs: TUNE's array parameters repeat the same key (fields[], values[]).
        params: list[tuple[str, Any]] = [
            ("api_key", self.credentials["api_key"]),
            ("Target", "Affiliate_Report"),
            ("Method", "getConversions"),
        ]
        params += [("fields[]", field) for field in REPORT_FIELDS]
        params += [
            ("filters[Stat.date][conditional]", "BETWEEN"),
            ("filters[Stat.date][values][]", since.astimezone(REPORT_TZ).date().isoformat()),
            ("filters[Stat.date][values][]", until.astimezone(REPORT_TZ).date().isoformat()),
            ("sort[Stat.datetime]", "asc"),
            ("limit", self.page_size),
            ("page", page_number),
        ]
        return params


def _report_data(body: Any) -> dict:
    """`response.data` of a TUNE answer, or NetworkError with TUNE's own message."""
    response = body.get("response") if isinstance(body, dict) else None
    if not isinstance(response, dict):
        raise NetworkError("vCommission answered without a TUNE response envelope")
    if response.get("status") != 1:
        message = response.get("errorMessage") or response.get("errors") or "unknown error"
        raise NetworkError(f"vCommission refused the report: {message}")
    data = response.get("data")
    if not isinstance(data, dict):
        raise NetworkError("vCommission report has no data object")
    return data


def _page_count(page: dict) -> int:
    try:
        return int(page.get("pageCount") or 0)
    except (TypeError, ValueError) as exc:
        raise NetworkError(f"vCommission sent a pageCount that is not a number: {exc}") from exc


def _stat_rows(page: dict) -> Iterator[dict]:
    rows = page.get("data") or []
    # TUNE writes an empty result as [] but keyed results as an object; take either.
    if isinstance(rows, dict):
        rows = rows.values()
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("Stat"), dict):
            yield row["Stat"]
