"""The wallet's back office: the read-only ledger, the withdrawal and KYC queues, cashback
events and missing-cashback claims, debts and referral rewards.

Each part lives in its own module; importing them registers their admins on the site.
"""

from . import admin_cashback, admin_ledger, admin_payouts  # noqa: F401
