"""Referral codes: short, unambiguous when read aloud or typed (no 0/O, 1/I/L, U)."""

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8


def new_referral_code() -> str:
    # 30^8 = 6.5e11 codes: collisions are rare, and the unique constraint catches them.
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_referral_code(raw: str) -> str:
    """What people type ("ab cd-2345") to the stored form: upper case, no spaces or dashes.

    The alphabet has none of 0/O, 1/I/L or U, so a code read aloud or off a screen cannot be
    mistaken for another one."""
    return raw.strip().upper().replace(" ", "").replace("-", "")
