"""The wallet's back office: the read-only ledger, the withdrawal and KYC queues, cashback
events and missing-cashback claims, debts and referral rewards.

One module per part; importing them registers their admins on the site:

- ledger.py: the read-only ledger (accounts, transactions, postings, platform balances) and
  ledger_links, which other admins use to link a record to the transactions it caused;
- payouts.py: withdrawals and KYC reviews;
- cashback.py: cashback events, missing-cashback claims, debts and referral rewards.
"""

from . import cashback, ledger, payouts  # noqa: F401
