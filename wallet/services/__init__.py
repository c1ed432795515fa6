"""The wallet's writes, one module per part: cashback, referrals, KYC, withdrawals, claims."""

# The ledger, for other apps: post balanced transactions, find accounts, read balances, and
# register the transaction kinds and platform accounts an app posts (in its ready()).
from ..kinds import UnknownLedgerKind, ledger_kind_register, platform_account_register
from ..ledger import (
    Entry,
    accounts_for_users,
    accounts_lock,
    balances,
    ledger_problems,
    platform_account,
    platform_balance,
    platform_balances,
    platform_rollup,
    reconciliation_check_register,
    transaction_post,
    transactions_post,
    user_account_lock,
    user_accounts,
)

__all__ = [
    "Entry",
    "UnknownLedgerKind",
    "accounts_for_users",
    "accounts_lock",
    "balances",
    "ledger_kind_register",
    "ledger_problems",
    "platform_account",
    "platform_account_register",
    "platform_balance",
    "platform_balances",
    "platform_rollup",
    "reconciliation_check_register",
    "transaction_post",
    "transactions_post",
    "user_account_lock",
    "user_accounts",
]
