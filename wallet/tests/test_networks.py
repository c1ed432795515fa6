"""The network adapters against the loopback networks: paging, statuses, exact amounts,
refused credentials, postback parsing, the registry and the sync's lock."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from coupzii.core.errors import Busy
from coupzii.core.locks import redis_lock
from offers.tests.factories import ClickFactory
from wallet import ledger
from wallet.models import AccountKind, CashbackEvent
from wallet.networks import ADAPTERS, configured_networks, get_adapter
from wallet.networks.base import NetworkError, NetworkSale, PostbackRejected, SaleStatus
from wallet.networks.sync import IngestTotals, sync_all, sync_network

from .loopback_networks import NETWORKS, LoopbackNetworks

D = Decimal
NOW = datetime.now(UTC)
SINCE = NOW - timedelta(days=30)


@pytest.fixture
def networks(settings):
    # Pages of at most 2 rows, whatever the adapter asks for: five sales take three pages.
    with LoopbackNetworks(max_page_size=2) as loopback:
        settings.AFFILIATE_NETWORKS = loopback.affiliate_settings()
        yield loopback


def fetch(network: str) -> list[NetworkSale]:
    """Everything the network reports for the last 30 days, up to this moment."""
    until = datetime.now(UTC)
    return list(get_adapter(network).fetch_sales(since=until - timedelta(days=30), until=until))


# --- pulling reports ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("network", "report_calls"),
    # CueLinks says nothing about how many pages there are: it stops at the first empty one.
    [("admitad", 3), ("vcommission", 3), ("cuelinks", 4)],
)
def test_fetch_sales_follows_every_page(networks, network, report_calls):
    txn_ids = [networks.add_sale(network, sub_id=f"click-{n}") for n in range(5)]

    sales = fetch(network)

    assert [sale.transaction_id for sale in sales] == txn_ids
    assert [sale.sub_id for sale in sales] == [f"click-{n}" for n in range(5)]
    assert {sale.network for sale in sales} == {network}
    assert networks.report_calls(network) == report_calls


@pytest.mark.parametrize(
    ("network", "word", "expected"),
    [
        ("admitad", "pending", SaleStatus.PENDING),
        ("admitad", "approved", SaleStatus.CONFIRMED),
        ("admitad", "declined", SaleStatus.DECLINED),
        # Approved but the advertiser has not paid: no cashback released yet.
        ("admitad", "approved_but_stalled", SaleStatus.PENDING),
        ("vcommission", "pending", SaleStatus.PENDING),
        ("vcommission", "approved", SaleStatus.CONFIRMED),
        ("vcommission", "rejected", SaleStatus.DECLINED),
        ("cuelinks", "pending", SaleStatus.PENDING),
        ("cuelinks", "validated", SaleStatus.CONFIRMED),
        ("cuelinks", "paid", SaleStatus.CONFIRMED),
        ("cuelinks", "rejected", SaleStatus.DECLINED),
    ],
)
def test_each_network_status_maps_to_ours(networks, network, word, expected):
    networks.add_sale(network, sub_id="click-1", status=word)

    [sale] = fetch(network)

    assert sale.status == expected


@pytest.mark.parametrize("network", NETWORKS)
def test_amounts_arrive_as_exact_decimals_rounded_half_up_to_paise(networks, network):
    networks.add_sale(network, sub_id="a", sale_amount="1234.56", commission="61.73")
    networks.add_sale(network, sub_id="b", sale_amount="99999999.99", commission="0.10")
    networks.add_sale(network, sub_id="c", sale_amount="200.00", commission="10.005")

    sales = fetch(network)

    assert [(sale.sale_amount, sale.commission) for sale in sales] == [
        (D("1234.56"), D("61.73")),
        (D("99999999.99"), D("0.10")),
        (D("200.00"), D("10.01")),
    ]
    assert all(type(sale.commission) is Decimal for sale in sales)


@pytest.mark.parametrize("network", NETWORKS)
def test_a_status_changed_at_the_network_shows_on_the_next_pull(networks, network):
    txn_id = networks.add_sale(network, sub_id="click-1")
    assert fetch(network)[0].status == SaleStatus.PENDING

    networks.set_status(network, txn_id, SaleStatus.CONFIRMED)

    assert fetch(network)[0].status == SaleStatus.CONFIRMED


@pytest.mark.parametrize("network", NETWORKS)
def test_only_sales_inside_the_window_are_fetched(networks, network):
    networks.add_sale(network, sub_id="old", occurred_at=NOW - timedelta(days=45))
    recent = networks.add_sale(network, sub_id="recent", occurred_at=NOW - timedelta(days=3))

    sales = fetch(network)

    assert [sale.transaction_id for sale in sales] == [recent]
    assert abs(sales[0].occurred_at - (NOW - timedelta(days=3))) < timedelta(seconds=1)


@pytest.mark.parametrize("network", NETWORKS)
def test_a_row_we_cannot_read_is_skipped_and_the_rest_still_arrive(networks, network):
    # A sub-id longer than any of ours cannot be stored; the row is logged and left out.
    networks.add_sale(network, sub_id="x" * 65)
    good = networks.add_sale(network, sub_id="click-1")

    assert [sale.transaction_id for sale in fetch(network)] == [good]


@pytest.mark.parametrize("network", NETWORKS)
def test_rows_with_amounts_too_large_for_the_column_or_a_nul_are_skipped(networks, network):
    # Stored, such a row breaks the shopper's cashback list (SQLite) or the whole sync
    # (PostgreSQL); left out and logged, the rest of the report still arrives.
    networks.add_sale(network, sub_id="too-big", sale_amount="1e20")
    networks.add_sale(network, sub_id="too-big", commission="99999999999.99")
    networks.add_sale(network, sub_id="click\x00-1")
    good = networks.add_sale(network, sub_id="click-1", sale_amount="9999999999.99")

    assert [sale.transaction_id for sale in fetch(network)] == [good]


@pytest.mark.parametrize(
    ("network", "credential"),
    [("admitad", "client_secret"), ("vcommission", "api_key"), ("cuelinks", "api_key")],
)
def test_wrong_credentials_raise_network_error(networks, settings, network, credential):
    networks.add_sale(network, sub_id="click-1")
    settings.AFFILIATE_NETWORKS[network][credential] = "not-the-key"

    with pytest.raises(NetworkError):
        fetch(network)
    assert networks.report_calls(network) == 0


@pytest.mark.parametrize("network", NETWORKS)
def test_a_network_that_is_down_raises_network_error(settings, network):
    with LoopbackNetworks() as loopback:
        settings.AFFILIATE_NETWORKS = loopback.affiliate_settings()
    # The server has stopped: nothing listens on its port any more.

    with pytest.raises(NetworkError) as error:
        fetch(network)
    assert "not-the-key" not in str(error.value)


def test_the_api_key_never_appears_in_a_network_error(settings):
    with LoopbackNetworks() as loopback:
        settings.AFFILIATE_NETWORKS = loopback.affiliate_settings()
    key = settings.AFFILIATE_NETWORKS["vcommission"]["api_key"]

    with pytest.raises(NetworkError) as error:
        fetch("vcommission")

    assert key not in str(error.value)
    assert error.value.__cause__ is None


# --- parsing postbacks ------------------------------------------------------------------------

GOOD_POSTBACKS = {
    "admitad": {
        "action_id": "777001",
        "subid": "click-1",
        "order_sum": "2499.50",
        "payment_sum": "124.975",
        "status": "approved",
        "time": "1767225600",
        "currency": "INR",
    },
    "vcommission": {
        "transaction_id": "102f3c0ffee",
        "aff_sub": "click-1",
        "sale_amount": "2499.50",
        "payout": "124.975",
        "status": "approved",
        "datetime": "2026-01-01 05:30:00",
    },
    "cuelinks": {
        "transaction_id": "9912",
        "sub_id": "click-1",
        "sale_amount": "2499.50",
        "commission": "124.975",
        "status": "validated",
        "transaction_date": "2026-01-01T05:30:00+05:30",
    },
}
REQUIRED_POSTBACK_FIELDS = {
    "admitad": {"action_id", "subid", "order_sum", "payment_sum", "status"},
    "vcommission": {"transaction_id", "aff_sub", "sale_amount", "payout"},
    "cuelinks": {"transaction_id", "sub_id", "sale_amount", "commission"},
}


@pytest.mark.parametrize("network", NETWORKS)
def test_a_postback_becomes_a_sale(networks, network):
    sale = get_adapter(network).parse_postback(GOOD_POSTBACKS[network])

    assert sale.network == network
    assert sale.sub_id == "click-1"
    assert (sale.sale_amount, sale.commission) == (D("2499.50"), D("124.98"))
    assert sale.status == SaleStatus.CONFIRMED
    assert sale.occurred_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert sale.transaction_id == next(
        GOOD_POSTBACKS[network][key]
        for key in ("action_id", "transaction_id")
        if key in GOOD_POSTBACKS[network]
    )


@pytest.mark.parametrize("network", NETWORKS)
def test_a_postback_missing_fields_is_rejected_naming_each(networks, network):
    with pytest.raises(PostbackRejected) as rejected:
        get_adapter(network).parse_postback({})

    assert set(rejected.value.fields) == REQUIRED_POSTBACK_FIELDS[network]


@pytest.mark.parametrize("network", ["vcommission", "cuelinks"])
def test_a_postback_without_status_is_a_pending_sale(networks, network):
    params = {key: value for key, value in GOOD_POSTBACKS[network].items() if key != "status"}

    assert get_adapter(network).parse_postback(params).status == SaleStatus.PENDING


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("payment_sum", "12,5", "Not an amount."),
        ("payment_sum", "-3.00", "Must not be negative."),
        ("status", "lost", "Unknown status"),
        ("time", "yesterday", "Not a date and time"),
        ("currency", "USD", "Only INR"),
        ("subid", "x" * 65, "At most 64 characters."),
        ("order_sum", "1e20", "At most ₹9,99,99,99,999.99."),
        ("payment_sum", "99999999999.99", "At most ₹9,99,99,99,999.99."),
        ("subid", "click\x00-1", "Must not contain NUL"),
        ("comment", "great\x00", "Must not contain NUL"),
    ],
)
def test_a_postback_with_a_bad_field_is_rejected_with_its_message(networks, field, value, message):
    params = {**GOOD_POSTBACKS["admitad"], field: value}

    with pytest.raises(PostbackRejected) as rejected:
        get_adapter("admitad").parse_postback(params)

    assert list(rejected.value.fields) == [field]
    assert message in rejected.value.fields[field][0]


# --- the registry -----------------------------------------------------------------------------


def test_every_network_has_an_adapter():
    assert set(ADAPTERS) == {"admitad", "vcommission", "cuelinks"}
    assert {name: adapter.name for name, adapter in ADAPTERS.items()} == {
        name: name for name in ADAPTERS
    }


def test_an_unknown_network_has_no_adapter():
    with pytest.raises(LookupError):
        get_adapter("commission-junction")


def test_only_networks_with_credentials_are_configured(networks, settings):
    settings.AFFILIATE_NETWORKS["admitad"]["client_secret"] = ""
    settings.AFFILIATE_NETWORKS["cuelinks"]["api_key"] = ""

    assert configured_networks() == ["vcommission"]


# --- the sync ---------------------------------------------------------------------------------


def test_a_sync_refuses_to_run_while_another_sync_of_that_network_holds_the_lock(networks):
    networks.add_sale("admitad", sub_id="click-1")

    with redis_lock("wallet:sync:admitad", ttl=30), pytest.raises(Busy):
        sync_network(name="admitad", since=SINCE, until=NOW)

    assert networks.report_calls("admitad") == 0


@pytest.mark.django_db
def test_sync_all_credits_every_networks_sales_then_picks_up_status_changes(networks):
    # given a shopper's sale on each network, and a sale that is not one of our clicks
    user = UserFactory()
    txn_ids = {
        network: networks.add_sale(
            network,
            sub_id=str(ClickFactory(user=user).id),  # the merchant pays 5%
            sale_amount="2000.00",
            commission="160.00",
        )
        for network in NETWORKS
    }
    networks.add_sale("admitad", sub_id="not-one-of-ours")

    # when the first sync runs
    totals = sync_all()

    # then every sale is recorded and its cashback is pending
    assert totals == {
        "admitad": IngestTotals(created=2, unmatched=1),
        "vcommission": IngestTotals(created=1),
        "cuelinks": IngestTotals(created=1),
    }
    assert ledger.balances(user)[AccountKind.PENDING] == D("300.00")

    # when vCommission confirms its sale and the next sync runs
    networks.set_status("vcommission", txn_ids["vcommission"], "approved")
    totals = sync_all()

    # then only that sale moves
    assert totals == {
        "admitad": IngestTotals(unchanged=2),
        "vcommission": IngestTotals(updated=1),
        "cuelinks": IngestTotals(unchanged=1),
    }
    assert ledger.balances(user)[AccountKind.AVAILABLE] == D("100.00")
    assert ledger.balances(user)[AccountKind.PENDING] == D("200.00")


@pytest.mark.django_db
def test_a_failing_network_does_not_stop_the_others(networks, settings):
    for network in NETWORKS:
        networks.add_sale(network, sub_id=str(ClickFactory(user=UserFactory()).id))
    settings.AFFILIATE_NETWORKS["vcommission"]["api_key"] = "revoked"

    totals = sync_all()

    assert set(totals) == {"admitad", "cuelinks"}
    assert set(CashbackEvent.objects.values_list("network", flat=True)) == {"admitad", "cuelinks"}


@pytest.mark.django_db
def test_sync_all_leaves_out_a_network_another_sync_is_running(networks):
    for network in NETWORKS:
        networks.add_sale(network, sub_id="click-1")

    with redis_lock("wallet:sync:cuelinks", ttl=30):
        totals = sync_all()

    assert set(totals) == {"admitad", "vcommission"}
    assert networks.report_calls("cuelinks") == 0


@pytest.mark.django_db
def test_sync_all_skips_networks_without_credentials(networks, settings):
    settings.AFFILIATE_NETWORKS["admitad"]["client_id"] = ""

    assert set(sync_all()) == {"vcommission", "cuelinks"}
    assert networks.report_calls("admitad") == 0


@pytest.mark.django_db
def test_sync_all_looks_back_the_configured_number_of_days(networks, settings):
    settings.WALLET_SYNC_LOOKBACK_DAYS = 10
    now = datetime.now(UTC)
    networks.add_sale("cuelinks", sub_id="old", occurred_at=now - timedelta(days=11))
    networks.add_sale("cuelinks", sub_id="recent", occurred_at=now - timedelta(days=9))

    sync_all(now=now)

    assert list(CashbackEvent.objects.values_list("sub_id", flat=True)) == ["recent"]


@pytest.mark.django_db
def test_a_sync_ingests_in_batches_of_the_given_size(networks):
    for n in range(5):
        networks.add_sale("admitad", sub_id=f"click-{n}")

    totals = sync_network(name="admitad", since=SINCE, until=datetime.now(UTC), batch_size=2)

    assert totals == IngestTotals(created=5, unmatched=5)
    assert CashbackEvent.objects.count() == 5


@pytest.mark.django_db
def test_a_shopper_hears_once_per_sync_however_many_pages_their_sales_span(networks):
    shopper, other = UserFactory(), UserFactory()
    for _ in range(5):  # 5% of 1,000 each
        click = ClickFactory(user=shopper)
        networks.add_sale("admitad", sub_id=str(click.id), sale_amount="1000.00", commission="100")
    networks.add_sale(
        "admitad",
        sub_id=str(ClickFactory(user=other).id),
        sale_amount="1000.00",
        commission="100.00",
    )

    sync_network(name="admitad", since=SINCE, until=datetime.now(UTC), batch_size=2)

    notices = Notification.objects.filter(user=shopper, kind="cashback_pending")
    assert [n.title for n in notices] == ["₹250.00 cashback is pending from 5 purchases"]
    assert Notification.objects.filter(user=other, kind="cashback_pending").count() == 1
