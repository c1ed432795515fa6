"""The base every network adapter builds on: settings, the HTTP session, and the mapping of a
report row or a postback to a `NetworkSale`, which every network does the same way and only
names differently.

An adapter says how its network names a sale's fields (`report_fields`, `postback_fields`),
which of its status words mean what (`statuses`), how it writes a moment, and how to walk its
report (`report_rows`). The base turns each row into a checked sale, skipping (and logging) a
row it cannot read, and each postback into a sale or a PostbackRejected naming every bad field.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from . import common
from .base import NetworkSale


@dataclass(frozen=True)
class SaleFieldNames:
    """What a network calls each field of a sale, in its report rows or in its postbacks."""

    transaction_id: str
    sub_id: str
    sale_amount: str
    commission: str
    status: str
    occurred_at: str
    currency: str | None = None  # checked to be INR when the network sends one


class NetworkAdapter(ABC):
    """Subclasses set the class attributes below and implement `report_rows`, `parse_moment`
    and `now`; they may override `parse_postback_moment` and `report_values`."""

    name: str  # our name for the network
    credential_keys: tuple[str, ...]  # settings keys a pull needs, passed to __init__
    page_size: int  # the page we ask for unless settings say otherwise
    max_page_size: int | None = None  # the largest page the network serves
    statuses: Mapping[str, str]  # the network's status word -> a SaleStatus
    report_fields: SaleFieldNames
    postback_fields: SaleFieldNames
    # The status of a postback that names none (networks that fire it when they record the
    # sale), or None when the status is required.
    postback_default_status: str | None = None

    def __init__(self, *, base_url: str, page_size: int | None = None, **credentials: str):
        unknown = set(credentials) - set(self.credential_keys)
        if unknown:
            raise TypeError(f"{self.name} takes no credential {sorted(unknown)}")
        self.base_url = base_url.rstrip("/")
        size = page_size or type(self).page_size
        self.page_size = min(size, self.max_page_size) if self.max_page_size else size
        self.credentials = {key: credentials.get(key, "") for key in self.credential_keys}
        self.session = common.new_session()

    @classmethod
    def from_settings(cls) -> "NetworkAdapter":
        config = settings.AFFILIATE_NETWORKS[cls.name]
        return cls(
            base_url=config["base_url"],
            page_size=config.get("page_size"),
            **{key: config.get(key, "") for key in cls.credential_keys},
        )

    # --- pull ---------------------------------------------------------------------------------

    def fetch_sales(self, *, since: datetime, until: datetime) -> Iterator[NetworkSale]:
        """Every sale the network reports between `since` and `until`, all pages followed; a
        row we cannot read is logged and left out."""
        for row in self.report_rows(since=since, until=until):
            sale = self.sale_from_row(row)
            if sale is not None:
                yield sale

    @abstractmethod
    def report_rows(self, *, since: datetime, until: datetime) -> Iterator[dict]:
        """The report's rows over the window, as the network sends them."""

    def sale_from_row(self, row: dict) -> NetworkSale | None:
        """The sale in one report row, or None (logged) for a row we cannot read. A row
        without our sub-id still counts (the wallet keeps it unmatched), and so does one
        without a sale amount (a lead pays a fixed commission)."""
        fields, sale = self._read(
            self.report_values(row),
            self.report_fields,
            raw=row,
            optional={"sub_id", "sale_amount"},
            parse_moment=self.parse_moment,
        )
        return common.checked_or_none(self.name, fields, sale)

    def report_values(self, row: dict) -> Mapping:
        """The row as `report_fields` names it (a network that spells a field two ways
        settles it here)."""
        return row

    # --- postback -----------------------------------------------------------------------------

    def parse_postback(self, params: Mapping[str, str]) -> NetworkSale:
        """One sale from a postback's parameters; raises PostbackRejected naming bad fields.
        A postback without a time happened now."""
        fields, sale = self._read(
            params,
            self.postback_fields,
            raw=dict(params),
            optional=set(),
            parse_moment=self.parse_postback_moment,
            default_status=self.postback_default_status,
            default_moment=self.now(),
        )
        fields.check()
        return sale

    # --- moments ------------------------------------------------------------------------------

    @abstractmethod
    def parse_moment(self, text: str) -> datetime:
        """A moment as the network's report writes it."""

    def parse_postback_moment(self, text: str) -> datetime:
        return self.parse_moment(text)

    @abstractmethod
    def now(self) -> datetime:
        """The present in the network's time zone (a postback without a time happened now)."""

    # --- the mapping --------------------------------------------------------------------------

    def _read(
        self,
        values: Mapping,
        names: SaleFieldNames,
        *,
        raw: Mapping,
        optional: set[str],
        parse_moment,
        default_status: str | None = None,
        default_moment: datetime | None = None,
    ) -> tuple[common.SaleFields, NetworkSale]:
        fields = common.SaleFields(values)
        sale = NetworkSale(
            network=self.name,
            transaction_id=fields.text(names.transaction_id, max_length=common.MAX_TXN_ID),
            sub_id=fields.text(
                names.sub_id, max_length=common.MAX_SUB_ID, required="sub_id" not in optional
            ),
            sale_amount=fields.amount(names.sale_amount, required="sale_amount" not in optional),
            commission=fields.amount(names.commission),
            status=fields.status(names.status, self.statuses, default=default_status),
            occurred_at=fields.moment(names.occurred_at, parse_moment, default=default_moment),
            raw=raw,
        )
        if names.currency:
            fields.currency(names.currency)
        return fields, sale
