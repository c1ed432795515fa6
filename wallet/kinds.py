"""What may be posted to the ledger: transaction kinds and platform accounts, registered by the
apps that post them when they start (`AppConfig.ready()`), so the wallet names none of its
callers and a new kind needs no wallet migration.

A user's three accounts (available, pending, held) are the wallet's own and fixed; every other
account kind is a platform account, registered here. Posting an unregistered kind, or to an
unregistered platform account, is a programming error (`UnknownLedgerKind`).
"""

from dataclasses import dataclass

from django.utils.functional import Promise

# A user's accounts: the only kinds that belong to a user; every other kind is the platform's.
AVAILABLE, PENDING, HELD = "available", "pending", "held"
USER_ACCOUNT_KINDS = (AVAILABLE, PENDING, HELD)

KIND_MAX_LENGTH = 32  # Transaction.kind
ACCOUNT_KIND_MAX_LENGTH = 40  # Account.kind


class UnknownLedgerKind(ValueError):
    """A programming error: a transaction kind or platform account nobody registered."""


@dataclass(frozen=True)
class LedgerKind:
    code: str
    label: str | Promise  # what the back office calls it
    # What the shopper's statement calls it; None keeps it off the statement (a movement the
    # shopper does not see, such as a delivered order settling their held share).
    statement_label: str | Promise | None = None


@dataclass(frozen=True)
class PlatformAccountKind:
    code: str
    label: str | Promise


_KINDS: dict[str, LedgerKind] = {}
_PLATFORM_ACCOUNTS: dict[str, PlatformAccountKind] = {}


def ledger_kind_register(
    code: str, *, label: str | Promise, statement_label: str | Promise | None = None
) -> None:
    """Allow transactions of kind `code`. Registering the same code again replaces it (a test
    settings reload, a reloaded app), which is harmless: codes are what is stored."""
    if not code or len(code) > KIND_MAX_LENGTH:
        raise ValueError(f"ledger kind {code!r}: 1 to {KIND_MAX_LENGTH} characters")
    _KINDS[code] = LedgerKind(code, label, statement_label)


def platform_account_register(code: str, *, label: str | Promise) -> None:
    """Allow a platform account `code` ("escrow:shop", "fees" ...). Platform accounts are
    never locked and their balances are read from the postings (`platform_balance`)."""
    if not code or len(code) > ACCOUNT_KIND_MAX_LENGTH:
        raise ValueError(f"platform account {code!r}: 1 to {ACCOUNT_KIND_MAX_LENGTH} characters")
    if code in USER_ACCOUNT_KINDS:
        raise ValueError(f"{code!r} is a user's account kind, not a platform account")
    _PLATFORM_ACCOUNTS[code] = PlatformAccountKind(code, label)


def ledger_kind(code: str) -> LedgerKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise UnknownLedgerKind(
            f"ledger transaction kind {code!r} is not registered: call "
            "wallet.services.ledger_kind_register() in your app's ready()"
        ) from None


def ledger_kinds() -> dict[str, LedgerKind]:
    """Every registered kind by code, in registration order."""
    return dict(_KINDS)


def platform_account_kind(code: str) -> PlatformAccountKind:
    try:
        return _PLATFORM_ACCOUNTS[code]
    except KeyError:
        raise UnknownLedgerKind(
            f"platform account {code!r} is not registered: call "
            "wallet.services.platform_account_register() in your app's ready()"
        ) from None


def platform_account_kinds() -> dict[str, PlatformAccountKind]:
    return dict(_PLATFORM_ACCOUNTS)


def kind_label(code: str) -> str:
    """The back office's name for a transaction kind; the code itself for one no longer
    registered (old rows stay readable)."""
    kind = _KINDS.get(code)
    return str(kind.label) if kind else code


def account_kind_label(code: str) -> str:
    from django.utils.translation import gettext

    labels = {AVAILABLE: gettext("Available"), PENDING: gettext("Pending"), HELD: gettext("Held")}
    if code in labels:
        return labels[code]
    kind = _PLATFORM_ACCOUNTS.get(code)
    return str(kind.label) if kind else code
