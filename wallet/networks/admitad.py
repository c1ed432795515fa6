"""Admitad: an OAuth2 client-credentials token, then the publisher's report of actions.

Wire format, verified against developers.admitad.com ("Client authorization", "Reports by
actions") and Admitad's own client (github.com/admitad/admitad-python-api: transport.py,
constants.py, items/statistics.py):

- POST {base}/token/, form-encoded grant_type=client_credentials, client_id, scope=statistics,
  with HTTP Basic auth of client_id:client_secret -> {"access_token": ..., ...}.
- GET {base}/statistics/actions/ with "Authorization: Bearer <token>", date_start / date_end as
  dd.mm.yyyy, limit (at most 500) and offset -> {"results": [...], "_meta": {"count", "limit",
  "offset"}}. A row carries action_id, subid, cart (order amount, null for leads), payment (our
  commission), currency, status and action_date ("YYYY-MM-DD HH:MM:SS").
- Statuses: pending, approved, declined, approved_but_stalled.

Assumed, because no public source states it: action_date is read as UTC; a refused client
gets an HTTP 4xx (OAuth2 "invalid_client"). The postback parameter names follow Admitad's
postback macros (subid, payment_sum, order_sum, currency, time as unix seconds) plus action_id
and status, which the postback page lists among its "over 20 parameters" but whose exact macro
spelling we could only confirm from integrators' URLs. Configure the postback (Tools ->
Postback URL, event "Action") as:

    https://<site>/api/v1/affiliate/postback/admitad/?secret=<ADMITAD_POSTBACK_SECRET>
        &action_id={action_id}&subid={subid}&order_sum={order_sum}&payment_sum={payment_sum}
        &currency={currency}&status={status}&time={time}
"""

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from . import common
from .base import NetworkError, NetworkSale, SaleStatus

STATUSES = {
    "pending": SaleStatus.PENDING,
    "approved": SaleStatus.CONFIRMED,
    "declined": SaleStatus.DECLINED,
    # Approved, but the advertiser has not paid Admitad yet: we release cashback only once
    # the money is sure to reach us, so it stays pending.
    "approved_but_stalled": SaleStatus.PENDING,
}
DATE_FORMAT = "%d.%m.%Y"
MAX_PAGE = 500  # Admitad refuses larger pages


class AdmitadAdapter:
    name = "admitad"
    credential_keys = ("client_id", "client_secret")

    def __init__(
        self, *, base_url: str, client_id: str, client_secret: str, page_size: int = MAX_PAGE
    ):
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.page_size = min(page_size, MAX_PAGE)
        self.session = common.new_session()

    @classmethod
    def from_settings(cls) -> "AdmitadAdapter":
        config = settings.AFFILIATE_NETWORKS[cls.name]
        return cls(
            base_url=config["base_url"],
            client_id=config.get("client_id", ""),
            client_secret=config.get("client_secret", ""),
            page_size=config.get("page_size", MAX_PAGE),
        )

    # --- pull -------------------------------------------------------------------------------

    def fetch_sales(self, *, since: datetime, until: datetime) -> Iterator[NetworkSale]:
        token = self._access_token()
        for row in self._action_rows(token, since=since, until=until):
            sale = _sale_from_row(row)
            if sale is not None:
                yield sale

    def _access_token(self) -> str:
        body = common.request_json(
            self.session,
            "POST",
            f"{self.base_url}/token/",
            auth=(self.client_id, self.client_secret),
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "scope": "statistics",
            },
        )
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise NetworkError("Admitad answered the token request without an access_token")
        return token

    def _action_rows(self, token: str, *, since: datetime, until: datetime) -> Iterator[dict]:
        params: dict[str, Any] = {
            "date_start": since.astimezone(UTC).strftime(DATE_FORMAT),
            "date_end": until.astimezone(UTC).strftime(DATE_FORMAT),
            "limit": self.page_size,
            "offset": 0,
        }
        while True:
            page = self._actions_page(token, params)
            rows = page["results"]
            yield from rows
            # Step by what came back, not by what we asked for: the server may cap a page.
            params["offset"] += len(rows)
            if not rows or params["offset"] >= int(page["_meta"]["count"]):
                return

    def _actions_page(self, token: str, params: dict) -> dict:
        body = common.request_json(
            self.session,
            "GET",
            f"{self.base_url}/statistics/actions/",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        )
        try:
            int(body["_meta"]["count"])
            if not isinstance(body["results"], list):
                raise TypeError("results is not a list")
        except (KeyError, TypeError, ValueError) as exc:
            raise NetworkError(f"Admitad action report has an unexpected shape: {exc}") from exc
        return body

    # --- postback ---------------------------------------------------------------------------

    def parse_postback(self, params: Mapping[str, str]) -> NetworkSale:
        fields = common.SaleFields(params)
        sale = NetworkSale(
            network=self.name,
            transaction_id=fields.text("action_id", max_length=common.MAX_TXN_ID),
            sub_id=fields.text("subid", max_length=common.MAX_SUB_ID),
            sale_amount=fields.amount("order_sum"),
            commission=fields.amount("payment_sum"),
            status=fields.status("status", STATUSES),
            occurred_at=fields.moment("time", common.parse_unix, default=datetime.now(UTC)),
            raw=dict(params),
        )
        fields.currency("currency")
        fields.check()
        return sale


def _parse_action_date(text: str) -> datetime:
    return common.parse_wall_clock(text, UTC)


def _sale_from_row(row: dict) -> NetworkSale | None:
    """The sale in one report row, or None (logged) for a row we cannot read."""
    fields = common.SaleFields(row)
    sale = NetworkSale(
        network=AdmitadAdapter.name,
        transaction_id=fields.text("action_id", max_length=common.MAX_TXN_ID),
        # A row without our sub-id still counts: the wallet records it as unmatched.
        sub_id=fields.text("subid", max_length=common.MAX_SUB_ID, required=False),
        # `cart` is null for leads (sign-ups), which pay a fixed commission.
        sale_amount=fields.amount("cart", required=False),
        commission=fields.amount("payment"),
        status=fields.status("status", STATUSES),
        occurred_at=fields.moment("action_date", _parse_action_date),
        raw=row,
    )
    fields.currency("currency")
    return common.checked_or_none(AdmitadAdapter.name, fields, sale)
