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

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from . import common
from .adapter import NetworkAdapter, SaleFieldNames
from .base import NetworkError, SaleStatus

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


class AdmitadAdapter(NetworkAdapter):
    name = "admitad"
    credential_keys = ("client_id", "client_secret")
    page_size = max_page_size = MAX_PAGE
    statuses = STATUSES
    # `cart` is null for leads (sign-ups), which pay a fixed commission.
    report_fields = SaleFieldNames(
        transaction_id="action_id",
        sub_id="subid",
        sale_amount="cart",
        commission="payment",
        status="status",
        occurred_at="action_date",
        currency="currency",
    )
    postback_fields = SaleFieldNames(
        transaction_id="action_id",
        sub_id="subid",
        sale_amount="order_sum",
        commission="payment_sum",
        status="status",
        occurred_at="time",
        currency="currency",
    )

    def parse_moment(self, text: str) -> datetime:
        return common.parse_wall_clock(text, UTC)

    def parse_postback_moment(self, text: str) -> datetime:
        return common.parse_unix(text)

    def now(self) -> datetime:
        return datetime.now(UTC)

    # --- pull -------------------------------------------------------------------------------

    def report_rows(self, *, since: datetime, until: datetime) -> Iterator[dict]:
        token = self._access_token()
        yield from self._action_rows(token, since=since, until=until)

    def _access_token(self) -> str:
        client_id = self.credentials["client_id"]
        body = common.request_json(
            self.session,
            "POST",
            f"{self.base_url}/token/",
            auth=(client_id, self.credentials["client_secret"]),
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
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
