"""Unique-code books: generating and importing codes, handing them to shoppers, the till's
lock -> redeem cycle, and the sweeps that release stale locks and expire ended offers.

Every action appends a RedemptionAudit row, refused ones included. Each action runs as a
top-level transaction (`atomic(durable=True)`, so call these outside any transaction): a
refusal rolls its transaction back, then writes its audit row on its own, so the row is
committed although the action was not.

How the races are handled:

- a claim takes the first available code with FOR UPDATE SKIP LOCKED, so shoppers claiming at
  once each get a different row instead of queueing on the same one; the unique
  (book, holder, claim_slot) constraint keeps one shopper within the book's limit when their
  own claims race;
- lock, unlock, redeem and void take FOR UPDATE on the one code row, so they queue per code;
- generate and import take FOR NO KEY UPDATE on the book, so two batches into one book queue,
  while claims carry on (their audit rows need only FOR KEY SHARE on the book row).


The package: common (constants, the audit trail), codes (generate, import), claims (claim,
assign), till (lock, unlock, redeem, void), sweeps (expired locks, ended offers).
"""

from .. import errors
from .claims import code_assign, code_claim
from .codes import CodePattern, code_pattern_parse, codes_generate, codes_import_csv
from .common import DIGITS, LETTERS, MAX_GENERATE
from .sweeps import locks_release_expired, offers_expire
from .till import code_lock, code_redeem, code_unlock, code_void

__all__ = [
    "DIGITS",
    "LETTERS",
    "MAX_GENERATE",
    "CodePattern",
    "code_assign",
    "code_claim",
    "code_lock",
    "code_pattern_parse",
    "code_redeem",
    "code_unlock",
    "code_void",
    "codes_generate",
    "codes_import_csv",
    "errors",
    "locks_release_expired",
    "offers_expire",
]
