"""What every affiliate-network adapter hands the wallet: one `NetworkSale` per sale it reports.

An adapter (built on `adapter.NetworkAdapter`) turns a network's report rows and postbacks
into `NetworkSale`s; the wallet's cashback services match them to clicks and move the money.
Nothing here touches the database.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


class SaleStatus:
    """Our three states. A network's own words ("approved", "validated", "rejected" ...) are
    mapped to these by its adapter. A sale reported declined after it was confirmed is a
    reversal: the wallet claws the cashback back."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


@dataclass(frozen=True)
class NetworkSale:
    network: str  # our name for the network: "admitad", "vcommission", "cuelinks"
    transaction_id: str  # the network's id for the sale, unique within that network
    sub_id: str  # what we put in the tracking URL: our Click id
    sale_amount: Decimal
    commission: Decimal  # what the network pays us for the sale
    status: str  # a SaleStatus value
    occurred_at: datetime
    raw: Mapping = field(default_factory=dict, compare=False)


class NetworkError(Exception):
    """The network's API failed or answered something we cannot read (not a business refusal)."""


class PostbackRejected(Exception):
    """A postback that cannot be turned into a sale (missing or malformed fields)."""

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        super().__init__(str(fields))
