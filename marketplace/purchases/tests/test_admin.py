"""The purchases back office: each purchase with its escrow state and ledger lines."""

import pytest

from accounts.tests.factories import UserFactory, sign_in_verified
from marketplace.purchases.services import purchase_create

pytestmark = pytest.mark.django_db
URL = "/admin/marketplace/purchase/"


def test_the_list_and_page_show_escrow_state_and_link_the_ledger_lines(client, buyer, listing):
    purchase = purchase_create(
        buyer=buyer, listing_public_id=listing.public_id, method="wallet", idempotency_key="k"
    )
    sign_in_verified(client, UserFactory(is_staff=True, is_superuser=True))

    listed = client.get(URL).content.decode()
    detail = client.get(f"{URL}{purchase.pk}/change/").content.decode()

    assert purchase.number in listed
    assert "₹120.00 held" in listed
    assert "/admin/wallet/transaction/" in detail
    assert "Marketplace purchase: paid from wallet" in detail
