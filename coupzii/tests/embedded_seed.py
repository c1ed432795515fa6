"""Shoppers for the embedded-default write test, seeded inside the server's own SQLite file.

Run by `manage.py shell` in a subprocess (see test_sqlite_writes.py); prints what the test
needs as one JSON line: access tokens and the gift card's SKU.
"""

import json

from accounts.tests.factories import UserFactory
from accounts.tokens import tokens_issue
from catalog.tests.factories import VariantFactory, stock
from commerce.tests.factories import cart_with
from wallet.tests.factories import confirmed_cashback, verified_kyc

BUYERS = 4


def _token(user) -> str:
    return tokens_issue(user=user)["access"]


def seed() -> None:
    withdrawer = UserFactory()
    verified_kyc(withdrawer)
    confirmed_cashback(withdrawer, "500.00")
    variant = VariantFactory()
    stock(variant, 20)
    cart_editors = [UserFactory() for _ in range(BUYERS)]
    buyers = [UserFactory() for _ in range(BUYERS)]
    for buyer in buyers:
        cart_with(buyer, (variant, 1))
    print(
        json.dumps(
            {
                "withdrawer": _token(withdrawer),
                "cart_editors": [_token(user) for user in cart_editors],
                "buyers": [_token(user) for user in buyers],
                "sku": variant.sku,
            }
        )
    )
