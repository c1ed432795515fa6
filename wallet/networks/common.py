"""What the network adapters share: one HTTP call that turns every failure into NetworkError,
JSON read without floats, and a reader that checks one sale's fields and names every problem."""

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import requests

from coupzii.core.money import MAX_AMOUNT, InvalidAmount, fits_column, format_inr, quantize
from coupzii.core.validators import NUL, has_nul

from .base import NetworkError, NetworkSale, PostbackRejected

logger = logging.getLogger("wallet.networks")

# (connect, read) seconds: a network that stops answering must not hold a sync for ever.
TIMEOUT = (5, 30)
IST = ZoneInfo("Asia/Kolkata")
USER_AGENT = "Coupzii-cashback-sync/1.0"
MAX_SUB_ID = 64  # CashbackEvent.sub_id
MAX_TXN_ID = 100  # CashbackEvent.network_txn_id


class UnreadableSale(PostbackRejected):
    """A report row or postback whose fields cannot make a sale. A PostbackRejected, so a
    postback answers 400 with `fields`; a report row is logged and skipped."""


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = "application/json"
    return session


def request_json(session: requests.Session, method: str, url: str, **kwargs) -> Any:
    """The JSON body of one call, or NetworkError for a refused call, an HTTP error or a body
    that is not JSON. An empty answer (204) is None.

    Numbers with a fraction are kept as their text (parse_float=str): amounts stay exact and
    the row stays JSON-safe for the event's raw payload.
    """
    try:
        response = session.request(method, url, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as exc:
        # Only the exception's kind, and not chained: its text holds the full URL, with any
        # api key in the query string, and a logged traceback would print it.
        raise NetworkError(f"{method} {url} failed: {type(exc).__name__}") from None
    if response.status_code >= 400:
        raise NetworkError(
            f"{method} {url} answered {response.status_code}: {response.text[:200]!r}"
        )
    if response.status_code == 204 or not response.content:
        return None
    try:
        return json.loads(response.text, parse_float=str)
    except ValueError as exc:
        raise NetworkError(f"{method} {url} answered something that is not JSON") from exc


def parse_wall_clock(text: str, tz: tzinfo) -> datetime:
    """A report's "YYYY-MM-DD HH:MM:SS", read in the timezone the network writes it in.

    fromisoformat, not strptime: it is ten times faster, which a 100,000-row pull notices.
    """
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def parse_iso(text: str, default_tz: tzinfo) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=default_tz)


def parse_unix(text: str) -> datetime:
    return datetime.fromtimestamp(int(text), tz=UTC)


def checked_or_none(network: str, fields: "SaleFields", sale: NetworkSale) -> NetworkSale | None:
    """`sale` if its row read cleanly; else None, logged, so one bad row never stops a sync."""
    try:
        fields.check()
    except UnreadableSale as exc:
        logger.warning(
            "skipping unreadable %s report row: %s", network, exc.fields, extra={"row": sale.raw}
        )
        return None
    return sale


def batched(items: Iterator, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class SaleFields:
    """Reads one sale's fields and collects every problem, so one answer names them all.

    Each reader returns a usable placeholder after recording a problem; call `check()` before
    using the values.
    """

    def __init__(self, values: Mapping):
        self.values = values
        self.errors: dict[str, list[str]] = {}

    def _raw(self, key: str) -> str | None:
        value = self.values.get(key)
        if value is None:
            return None
        text = str(value).strip()
        return text or None

    def _fail(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def text(self, key: str, *, max_length: int, required: bool = True) -> str:
        value = self._raw(key)
        if value is None:
            if required:
                self._fail(key, "This field is required.")
            return ""
        if len(value) > max_length:
            self._fail(key, f"At most {max_length} characters.")
        return value

    def amount(self, key: str, *, required: bool = True) -> Decimal:
        """A non-negative rupee amount, rounded half up to paise (networks send 4 decimals)."""
        value = self._raw(key)
        if value is None:
            if required:
                self._fail(key, "This field is required.")
            return Decimal("0.00")
        try:
            amount = quantize(value)
        except InvalidAmount:
            self._fail(key, "Not an amount.")
            return Decimal("0.00")
        if amount < 0:
            self._fail(key, "Must not be negative.")
        elif not fits_column(amount):
            # Beyond the amount column: PostgreSQL refuses the row, SQLite stores one that
            # can't be read back and breaks every page that lists the shopper's cashback.
            self._fail(key, f"At most {format_inr(MAX_AMOUNT)}.")
            return Decimal("0.00")
        return amount

    def status(self, key: str, mapping: Mapping[str, str], *, default: str | None = None) -> str:
        value = self._raw(key)
        if value is None and default is not None:
            return default
        if value is None:
            self._fail(key, "This field is required.")
            return ""
        status = mapping.get(value.lower())
        if status is None:
            self._fail(key, f"Unknown status {value!r}; expected one of {sorted(mapping)}.")
            return ""
        return status

    def moment(
        self, key: str, parse: Callable[[str], datetime], *, default: datetime | None = None
    ) -> datetime:
        value = self._raw(key)
        if value is None and default is not None:
            return default
        if value is None:
            self._fail(key, "This field is required.")
            return datetime.now(UTC)
        try:
            return parse(value)
        except (ValueError, OverflowError, OSError):
            self._fail(key, "Not a date and time this network sends.")
            return datetime.now(UTC)

    def currency(self, key: str, *, required: bool = False) -> None:
        # The wallet holds rupees only; converting another currency here would guess a rate.
        value = self._raw(key)
        if value is None:
            if required:
                self._fail(key, "This field is required.")
            return
        if value.upper() != "INR":
            self._fail(key, f"Only INR is accepted, not {value!r}.")

    def check(self) -> None:
        self._check_no_nul()
        if self.errors:
            raise UnreadableSale(self.errors)

    def _check_no_nul(self) -> None:
        # Every field, read or not: the whole row is kept as the event's raw payload, and
        # PostgreSQL refuses a NUL in jsonb as it does in text.
        for key, value in self.values.items():
            if type(key) is str and NUL not in key and _plain_without_nul(value):
                continue  # the usual field, without a call into has_nul
            if has_nul(key) or has_nul(value):
                self._fail(str(key).replace("\x00", "\\u0000"), "Must not contain NUL (\\u0000).")


def _plain_without_nul(value) -> bool:
    """A JSON scalar that holds no NUL (a string without one, a number, a boolean, null)."""
    if type(value) is str:
        return NUL not in value
    return value is None or type(value) in (int, float, bool)
