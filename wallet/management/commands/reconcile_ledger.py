"""`manage.py reconcile_ledger`: check every ledger invariant; exit 1 naming each mismatch."""

import sys

from django.core.management.base import BaseCommand

from wallet.ledger import ledger_problems


class Command(BaseCommand):
    help = "Check that every transaction balances and every cached balance equals its postings."

    def handle(self, *args, **options):
        problems = ledger_problems()
        if not problems:
            self.stdout.write(self.style.SUCCESS("The ledger is sound: every invariant holds."))
            return
        for problem in problems:
            self.stderr.write(f"MISMATCH: {problem}")
        self.stderr.write(f"{len(problems)} mismatch(es) found.")
        sys.exit(1)
