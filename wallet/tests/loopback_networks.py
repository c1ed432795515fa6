"""A loopback HTTP server that speaks Admitad's, vCommission's (TUNE) and CueLinks' report APIs,
so tests, browser journeys and benchmarks run the real adapters over real HTTP.

    with LoopbackNetworks() as networks:
        settings.AFFILIATE_NETWORKS = networks.affiliate_settings()
        txn_id = networks.add_sale("admitad", sub_id=str(click.id), sale_amount="999.00",
                                   commission="49.95")
        ...                                  # sync: the sale arrives pending
        networks.set_status("admitad", txn_id, "confirmed")   # or Admitad's own "approved"
        ...                                  # sync again: the sale is confirmed

One server answers all three networks (their paths do not overlap). Sales live in memory and
pages are sliced from a cached, date-filtered list, so 100,000 rows load in well under a
second and each page costs only its own rows. Each network checks credentials its own way and
refuses wrong ones the way it does for real: Admitad's OAuth2 token endpoint (401
invalid_client), TUNE's HTTP 200 envelope with status -1, CueLinks' Rails token 401.

For a separate process (a browser journey's server): `python -m wallet.tests.loopback_networks
--port 8765 --rows 1000` prints the environment variables that point the site at it.
"""

import argparse
import base64
import binascii
import itertools
import json
import math
import re
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from coupzii.tests.loopback import LoopbackServer
from wallet.networks.base import SaleStatus

IST = ZoneInfo("Asia/Kolkata")
NETWORKS = ("admitad", "vcommission", "cuelinks")
# Our status -> each network's own word for it.
NATIVE_STATUS = {
    "admitad": {
        SaleStatus.PENDING: "pending",
        SaleStatus.CONFIRMED: "approved",
        SaleStatus.DECLINED: "declined",
    },
    "vcommission": {
        SaleStatus.PENDING: "pending",
        SaleStatus.CONFIRMED: "approved",
        SaleStatus.DECLINED: "rejected",
    },
    "cuelinks": {
        SaleStatus.PENDING: "pending",
        SaleStatus.CONFIRMED: "validated",
        SaleStatus.DECLINED: "rejected",
    },
}
# Every word each network may send, including ones with no status of ours to their name.
NATIVE_WORDS = {
    "admitad": {"pending", "approved", "declined", "approved_but_stalled"},
    "vcommission": {"pending", "approved", "rejected"},
    "cuelinks": {"pending", "validated", "rejected", "paid"},
}
CREDENTIALS = {
    "admitad": {"client_id": "loopback-admitad-client", "client_secret": "loopback-admitad-secret"},
    "vcommission": {"api_key": "loopback-vcommission-key"},
    "cuelinks": {"api_key": "loopback-cuelinks-key"},
}
POSTBACK_SECRETS = {network: f"loopback-{network}-postback" for network in NETWORKS}
ADMITAD_MAX_PAGE = 500


@dataclass
class LoopbackSale:
    txn_id: str
    sub_id: str
    sale_amount: Decimal
    commission: Decimal
    status: str  # the network's own word
    occurred_at: datetime


class _Book:
    """One network's sales, in the order they were added, with a cache of date windows."""

    def __init__(self):
        self.sales: list[LoopbackSale] = []
        self.by_id: dict[str, LoopbackSale] = {}
        self.windows: dict[tuple, list[LoopbackSale]] = {}

    def add(self, sale: LoopbackSale) -> None:
        if sale.txn_id in self.by_id:
            raise ValueError(f"transaction {sale.txn_id} already exists")
        self.sales.append(sale)
        self.by_id[sale.txn_id] = sale
        self.windows.clear()

    def window(self, key: tuple, keep) -> list[LoopbackSale]:
        # One scan per report window, not per page: a 100,000-row pull is hundreds of pages.
        if key not in self.windows:
            self.windows[key] = [sale for sale in self.sales if keep(sale)]
        return self.windows[key]


class LoopbackNetworks(LoopbackServer):
    """The three networks on one 127.0.0.1 port. Use as a context manager, or start()/stop().

    `max_page_size` caps every page below what the client asks for, as a server with a smaller
    limit would, to prove the adapters follow the network's paging and not their own request.
    `requests` lists (network, path, query) for each report call served.
    """

    thread_name = "loopback-networks"

    @property
    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _Handler  # defined below, with the routes

    def __init__(self, *, max_page_size: int | None = None):
        self.max_page_size = max_page_size
        self.credentials = {network: dict(values) for network, values in CREDENTIALS.items()}
        self.requests: list[tuple[str, str, dict]] = []
        self._books = {network: _Book() for network in NETWORKS}
        self._tokens: set[str] = set()
        self._lock = threading.Lock()
        self._ids = itertools.count(100001)

    def affiliate_settings(
        self, *, postback_secrets: Mapping[str, str] | None = None, page_size: int | None = None
    ) -> dict:
        """A settings.AFFILIATE_NETWORKS that points every adapter here with good credentials."""
        secrets_by_network = {**POSTBACK_SECRETS, **(postback_secrets or {})}
        config = {}
        for network in NETWORKS:
            config[network] = {
                "base_url": self.url,
                "postback_secret": secrets_by_network[network],
                **self.credentials[network],
            }
            if page_size:
                config[network]["page_size"] = page_size
        return config

    def environment(self) -> dict[str, str]:
        """The environment variables that point a separately started site here."""
        env = {}
        for network in NETWORKS:
            prefix = network.upper()
            env[f"{prefix}_BASE_URL"] = self.url
            env[f"{prefix}_POSTBACK_SECRET"] = POSTBACK_SECRETS[network]
            for key, value in self.credentials[network].items():
                env[f"{prefix}_{key.upper()}"] = value
        return env

    # --- loading sales --------------------------------------------------------------------------

    def add_sale(
        self,
        network: str,
        *,
        sub_id: str,
        sale_amount: Decimal | str | int = "1000.00",
        commission: Decimal | str | int = "50.00",
        status: str = SaleStatus.PENDING,
        txn_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> str:
        """Add one sale; returns its transaction id. `status` is ours or the network's word."""
        return self.add_sales(
            network,
            [
                {
                    "sub_id": sub_id,
                    "sale_amount": sale_amount,
                    "commission": commission,
                    "status": status,
                    "txn_id": txn_id,
                    "occurred_at": occurred_at,
                }
            ],
        )[0]

    def add_sales(self, network: str, rows: Iterable[Mapping]) -> list[str]:
        """Add many sales at once (same keys as add_sale's arguments); returns their ids."""
        now = datetime.now(UTC)
        added = []
        with self._lock:
            book = self._books[network]
            for row in rows:
                sale = LoopbackSale(
                    txn_id=str(row.get("txn_id") or next(self._ids)),
                    sub_id=str(row["sub_id"]),
                    sale_amount=Decimal(str(row.get("sale_amount", "1000.00"))),
                    commission=Decimal(str(row.get("commission", "50.00"))),
                    status=_native_status(network, row.get("status") or SaleStatus.PENDING),
                    occurred_at=row.get("occurred_at") or now,
                )
                book.add(sale)
                added.append(sale.txn_id)
        return added

    def set_status(self, network: str, txn_id: str, status: str) -> None:
        """Change a sale's status, as the network does when the advertiser validates it."""
        with self._lock:
            book = self._books[network]
            book.by_id[txn_id].status = _native_status(network, status)
            book.windows.clear()

    def sale(self, network: str, txn_id: str) -> LoopbackSale:
        return self._books[network].by_id[txn_id]

    def report_calls(self, network: str) -> int:
        return sum(1 for served, _path, _query in self.requests if served == network)

    # --- serving (called from the handler threads) ---------------------------------------------

    def _page(self, network: str, key: tuple, keep, start: int, size: int):
        with self._lock:
            rows = self._books[network].window(key, keep)
            return len(rows), rows[start : start + size]

    def _cap(self, asked: int, ceiling: int) -> int:
        size = max(1, min(asked, ceiling))
        return min(size, self.max_page_size) if self.max_page_size else size

    def _record(self, network: str, path: str, query: dict) -> None:
        with self._lock:
            self.requests.append((network, path, query))

    def _issue_token(self) -> str:
        token = secrets.token_hex(16)
        with self._lock:
            self._tokens.add(token)
        return token

    def _knows_token(self, token: str) -> bool:
        with self._lock:
            return token in self._tokens


def _native_status(network: str, status: str) -> str:
    if status in NATIVE_WORDS[network]:
        return status
    if status in NATIVE_STATUS[network]:
        return NATIVE_STATUS[network][status]
    raise ValueError(f"{network} has no status {status!r}")


# --- wire formats ---------------------------------------------------------------------------


def _admitad_row(sale: LoopbackSale) -> dict:
    # Amounts are JSON numbers, as in Admitad's documented example.
    moment = sale.occurred_at.astimezone(UTC)
    return {
        "action_id": int(sale.txn_id) if sale.txn_id.isdigit() else sale.txn_id,
        "status": sale.status,
        "comment": None,
        "conversion_time": 135,
        "keyword": None,
        "advcampaign_name": "Loopback Store",
        "advcampaign_id": 6,
        "cart": float(sale.sale_amount),
        "subid": sale.sub_id or None,
        "subid1": None,
        "subid2": None,
        "subid3": None,
        "subid4": None,
        "click_user_referer": None,
        "currency": "INR",
        "action_date": moment.strftime("%Y-%m-%d %H:%M:%S"),
        "click_date": (moment - timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M:%S"),
        "website_name": "coupzii",
        "action": "Sale",
        "action_type": "sale",
        "payment": float(sale.commission),
        "processed": 0 if sale.status == "pending" else 1,
        "paid": 0,
    }


def _tune_stat(sale: LoopbackSale) -> dict:
    # TUNE writes every value as a string, amounts with five decimals.
    return {
        "Stat.ad_id": sale.txn_id,
        "Stat.affiliate_info1": sale.sub_id,
        "Stat.sale_amount": f"{sale.sale_amount:.5f}",
        "Stat.payout": f"{sale.commission:.5f}",
        "Stat.conversion_status": sale.status,
        "Stat.datetime": sale.occurred_at.astimezone(IST).strftime("%Y-%m-%d %H:%M:%S"),
        "Stat.currency": "INR",
        "Stat.offer_id": "1042",
        "Stat.tune_event_id": f"1{int(sale.txn_id) if sale.txn_id.isdigit() else 0:031x}",
    }


def _cuelinks_row(sale: LoopbackSale) -> dict:
    return {
        "id": int(sale.txn_id) if sale.txn_id.isdigit() else sale.txn_id,
        "sub_id": sale.sub_id,
        "sale_amount": float(sale.sale_amount),
        "commission": float(sale.commission),
        "status": sale.status,
        "transaction_date": sale.occurred_at.astimezone(IST).isoformat(timespec="seconds"),
        "campaign_id": 42,
        "campaign_name": "Loopback Store",
    }


class _Handler(BaseHTTPRequestHandler):
    # Keep-alive: a 100,000-row pull over one connection instead of hundreds of handshakes.
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle on, the body waits for the client's
    # delayed ACK (40 ms a page).
    disable_nagle_algorithm = True

    @property
    def loopback(self) -> LoopbackNetworks:
        return self.server.loopback

    def log_message(self, format, *args):
        pass  # a quiet test run

    def do_GET(self):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        routes = {
            "/statistics/actions/": self._admitad_actions,
            "/Apiv3/json": self._tune,
            "/api/v2/transactions.json": self._cuelinks_transactions,
        }
        handler = routes.get(parts.path)
        if handler is None:
            self._send(404, {"detail": "Not found."})
            return
        handler(query)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        if urlsplit(self.path).path != "/token/":
            self._send(404, {"detail": "Not found."})
            return
        self._admitad_token(parse_qs(body))

    # --- Admitad ----------------------------------------------------------------------------

    def _admitad_token(self, form: dict) -> None:
        expected = self.loopback.credentials["admitad"]
        if (
            _basic_auth(self.headers.get("Authorization", ""))
            != (
                expected["client_id"],
                expected["client_secret"],
            )
            or _one(form, "client_id") != expected["client_id"]
        ):
            self._send(401, {"error": "invalid_client"})
            return
        if _one(form, "grant_type") != "client_credentials":
            self._send(400, {"error": "unsupported_grant_type"})
            return
        if "statistics" not in _one(form, "scope").split():
            self._send(400, {"error": "invalid_scope"})
            return
        self._send(
            200,
            {
                "access_token": self.loopback._issue_token(),
                "token_type": "bearer",
                "expires_in": 604800,
                "refresh_token": secrets.token_hex(16),
                "scope": "statistics",
                "username": "coupzii",
                "id": 1,
                "language": "en",
            },
        )

    def _admitad_actions(self, query: dict) -> None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if not self.loopback._knows_token(token):
            self._send(401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer realm="api"'})
            return
        try:
            first = _dmy(_one(query, "date_start"), date.min)
            last = _dmy(_one(query, "date_end"), date.max)
            offset = int(_one(query, "offset") or 0)
            limit = self.loopback._cap(int(_one(query, "limit") or 20), ADMITAD_MAX_PAGE)
        except ValueError:
            self._send(400, {"error": "invalid date or paging parameter"})
            return
        self.loopback._record("admitad", "/statistics/actions/", query)
        count, sales = self.loopback._page(
            "admitad",
            ("actions", first, last),
            lambda sale: first <= sale.occurred_at.astimezone(UTC).date() <= last,
            offset,
            limit,
        )
        body = {
            "results": [_admitad_row(sale) for sale in sales],
            "_meta": {"count": count, "limit": limit, "offset": offset},
        }
        self._send(200, body)

    # --- vCommission (TUNE) -------------------------------------------------------------------

    def _tune(self, query: dict) -> None:
        if _one(query, "api_key") != self.loopback.credentials["vcommission"]["api_key"]:
            self._tune_error("Invalid api key")
            return
        if (_one(query, "Target"), _one(query, "Method")) != ("Affiliate_Report", "getConversions"):
            self._tune_error("Unknown target or method")
            return
        try:
            first, last = _tune_dates(query)
            page = max(1, int(_one(query, "page") or 1))
            asked = int(_one(query, "limit") or 0)
        except ValueError:
            self._tune_error("Invalid filter or paging parameter")
            return
        self.loopback._record("vcommission", "/Apiv3/json", query)
        limit = self.loopback._cap(asked or 10**9, 10**9)
        count, sales = self.loopback._page(
            "vcommission",
            ("conversions", first, last),
            lambda sale: first <= sale.occurred_at.astimezone(IST).date() <= last,
            (page - 1) * limit,
            limit,
        )
        wanted = set(query.get("fields[]", []))
        rows = [
            {"Stat": {key[5:]: value for key, value in _tune_stat(sale).items() if key in wanted}}
            for sale in sales
        ]
        data = {
            "page": page,
            "current": len(rows),
            "count": count,
            "pageCount": math.ceil(count / limit),
            "data": rows,
            "dbSource": "branddb",
        }
        self._send(200, _tune_envelope(query, status=1, data=data))

    def _tune_error(self, message: str) -> None:
        # TUNE answers a refused call with HTTP 200 and status -1 in its envelope.
        envelope = _tune_envelope({}, status=-1, data="")
        envelope["response"]["errors"] = [{"publicMessage": message}]
        envelope["response"]["errorMessage"] = message
        self._send(200, envelope)

    # --- CueLinks -------------------------------------------------------------------------------

    def _cuelinks_transactions(self, query: dict) -> None:
        match = re.fullmatch(r'Token token="?([^"]*)"?', self.headers.get("Authorization", ""))
        if not match or match[1] != self.loopback.credentials["cuelinks"]["api_key"]:
            # What Rails' authenticate_or_request_with_http_token answers.
            self._send_text(401, "HTTP Token: Access denied.\n", 'Token realm="Application"')
            return
        try:
            first = _iso(_one(query, "start_date"), datetime.min.replace(tzinfo=UTC))
            last = _iso(_one(query, "end_date"), datetime.max.replace(tzinfo=UTC))
            page = max(1, int(_one(query, "page") or 1))
            per_page = self.loopback._cap(int(_one(query, "per_page") or 10), 1000)
        except ValueError:
            self._send(422, {"error": "invalid date or paging parameter"})
            return
        self.loopback._record("cuelinks", "/api/v2/transactions.json", query)
        _count, sales = self.loopback._page(
            "cuelinks",
            ("transactions", first, last),
            lambda sale: first <= sale.occurred_at <= last,
            (page - 1) * per_page,
            per_page,
        )
        self._send(200, {"transactions": [_cuelinks_row(sale) for sale in sales]})

    # --- plumbing -------------------------------------------------------------------------------

    def _send(self, status: int, body, headers: Mapping[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _send_text(self, status: int, text: str, authenticate: str) -> None:
        payload = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("WWW-Authenticate", authenticate)
        self.end_headers()
        self.wfile.write(payload)


def _one(query: dict, key: str) -> str:
    values = query.get(key) or [""]
    return values[-1]


def _basic_auth(header: str) -> tuple[str, str] | None:
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def _dmy(text: str, default: date) -> date:
    return datetime.strptime(text, "%d.%m.%Y").date() if text else default


def _iso(text: str, default: datetime) -> datetime:
    if not text:
        return default
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=IST)


def _tune_dates(query: dict) -> tuple[date, date]:
    values = query.get("filters[Stat.date][values][]", [])
    if not values:
        return date.min, date.max
    if _one(query, "filters[Stat.date][conditional]") != "BETWEEN" or len(values) != 2:
        raise ValueError("Stat.date filter must be BETWEEN two dates")
    return date.fromisoformat(values[0]), date.fromisoformat(values[1])


def _tune_envelope(query: dict, *, status: int, data) -> dict:
    return {
        "request": {key: _one(query, key) for key in ("Target", "Method") if key in query},
        "response": {
            "status": status,
            "httpStatus": 200,
            "data": data,
            "errors": [],
            "errorMessage": None,
        },
    }


def main() -> None:
    """Serve on a fixed port with generated sales until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rows", type=int, default=0, help="pending sales per network")
    args = parser.parse_args()
    networks = LoopbackNetworks()
    networks._server = ThreadingHTTPServer(("127.0.0.1", args.port), _Handler)
    networks._server.loopback = networks
    for network in NETWORKS:
        networks.add_sales(network, ({"sub_id": f"loopback-{n}"} for n in range(args.rows)))
    for name, value in networks.environment().items():
        print(f"{name}={value}")
    try:
        networks._server.serve_forever()
    except KeyboardInterrupt:
        networks._server.server_close()


if __name__ == "__main__":
    main()
