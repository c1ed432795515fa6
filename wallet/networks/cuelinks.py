"""CueLinks: the publisher API v2 transactions report.

Wire format. Verified from CueLinks' help centre ("What are the different types of APIs
available?": the Transactions API fetches transactions "in a specific date range and with an
option to bifurcate based on one particular sub_id"; documentation at cuelinks.docs.apiary.io)
and from publishers' integrations that call it:

- GET {base}/api/v2/transactions.json?start_date=...&end_date=...&page=N&per_page=M
  (optionally sub_id), with the Rails token header `Authorization: Token token="<api key>"`.
  Dates are ISO 8601 with an offset (2018-01-01T02:30:17+05:30); pages are 1-based.
- The answer is {"transactions": [...]}; past the last page it is an empty list (some
  integrators also saw HTTP 204). A refused token is HTTP 401.

Assumed, because the apiary page itself is not in our sources: the row's field names (id,
sub_id, sale_amount, commission, status, transaction_date; integrators read these, some
hedging between id/transaction_id and sub_id/subid, so both spellings are accepted) and the
status words (pending, validated, rejected; paid read as confirmed). A row with a status we do
not know is logged and skipped rather than guessed. The largest page CueLinks serves is not
documented; we ask for 100 and stop at the first empty page, so a smaller cap is harmless.
Configure the postback in the CueLinks dashboard as:

    https://<site>/api/v1/affiliate/postback/cuelinks/?secret=<CUELINKS_POSTBACK_SECRET>
        &transaction_id=...&sub_id=...&sale_amount=...&commission=...&status=...
        &transaction_date=...
"""

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta

from django.conf import settings

from . import common
from .base import NetworkError, NetworkSale, SaleStatus

STATUSES = {
    "pending": SaleStatus.PENDING,
    "validated": SaleStatus.CONFIRMED,
    "paid": SaleStatus.CONFIRMED,
    "rejected": SaleStatus.DECLINED,
}
PAGE_SIZE = 100
REPORT_TZ = common.IST


class CuelinksAdapter:
    name = "cuelinks"
    credential_keys = ("api_key",)

    def __init__(self, *, base_url: str, api_key: str, page_size: int = PAGE_SIZE):
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.session = common.new_session()
        self.session.headers["Authorization"] = f'Token token="{api_key}"'

    @classmethod
    def from_settings(cls) -> "CuelinksAdapter":
        config = settings.AFFILIATE_NETWORKS[cls.name]
        return cls(
            base_url=config["base_url"],
            api_key=config.get("api_key", ""),
            page_size=config.get("page_size", PAGE_SIZE),
        )

    # --- pull -------------------------------------------------------------------------------

    def fetch_sales(self, *, since: datetime, until: datetime) -> Iterator[NetworkSale]:
        for row in self._transaction_rows(since=since, until=until):
            sale = _sale_from_row(row)
            if sale is not None:
                yield sale

    def _transaction_rows(self, *, since: datetime, until: datetime) -> Iterator[dict]:
        params = {
            "start_date": since.astimezone(REPORT_TZ).isoformat(timespec="seconds"),
            "end_date": _whole_second_after(until).astimezone(REPORT_TZ).isoformat(),
            "page": 1,
            "per_page": self.page_size,
        }
        previous_first = None
        while True:
            rows = self._transactions_page(params)
            if not rows:
                return
            # A server that ignored `page` would hand back page 1 for ever.
            if rows[0] == previous_first:
                raise NetworkError(f"CueLinks served page {params['page'] - 1} again")
            previous_first = rows[0]
            yield from rows
            params["page"] += 1

    def _transactions_page(self, params: dict) -> list:
        body = common.request_json(
            self.session, "GET", f"{self.base_url}/api/v2/transactions.json", params=params
        )
        if body is None:
            return []
        rows = body.get("transactions") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise NetworkError("CueLinks answered without a transactions list")
        return [row for row in rows if isinstance(row, dict)]

    # --- postback ---------------------------------------------------------------------------

    def parse_postback(self, params: Mapping[str, str]) -> NetworkSale:
        fields = common.SaleFields(params)
        sale = NetworkSale(
            network=self.name,
            transaction_id=fields.text("transaction_id", max_length=common.MAX_TXN_ID),
            sub_id=fields.text("sub_id", max_length=common.MAX_SUB_ID),
            sale_amount=fields.amount("sale_amount"),
            commission=fields.amount("commission"),
            status=fields.status("status", STATUSES, default=SaleStatus.PENDING),
            occurred_at=fields.moment(
                "transaction_date", _parse_date, default=datetime.now(REPORT_TZ)
            ),
            raw=dict(params),
        )
        fields.check()
        return sale


def _whole_second_after(moment: datetime) -> datetime:
    # The API takes whole seconds: cutting 12:00:05.4 to 12:00:05 would miss a sale made in
    # that last fraction, so the window's end is rounded up instead.
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment


def _parse_date(text: str) -> datetime:
    return common.parse_iso(text, REPORT_TZ)


def _sale_from_row(row: dict) -> NetworkSale | None:
    """The sale in one report row, or None (logged) for a row we cannot read."""
    values = {
        **row,
        "id": _first(row, "id", "transaction_id"),
        "sub_id": _first(row, "sub_id", "subid"),
    }
    fields = common.SaleFields(values)
    sale = NetworkSale(
        network=CuelinksAdapter.name,
        transaction_id=fields.text("id", max_length=common.MAX_TXN_ID),
        sub_id=fields.text("sub_id", max_length=common.MAX_SUB_ID, required=False),
        sale_amount=fields.amount("sale_amount", required=False),
        commission=fields.amount("commission"),
        status=fields.status("status", STATUSES),
        occurred_at=fields.moment("transaction_date", _parse_date),
        raw=row,
    )
    return common.checked_or_none(CuelinksAdapter.name, fields, sale)


def _first(row: Mapping, *keys: str):
    for key in keys:
        if row.get(key) not in (None, ""):
            return row[key]
    return None
