"""`manage.py ledger_rebase`: after restoring a dump into a new database cluster, start the
ledger's transaction-id watermarks again from 0 (wallet.ledger.ledger_rebase)."""

from django.core.management.base import BaseCommand

from wallet.ledger import ledger_rebase


class Command(BaseCommand):
    help = (
        "After a restore into a new database cluster, with web, worker and beat stopped: set "
        "every posting's transaction id to 0 and empty the platform balance rollups."
    )

    def handle(self, *args, **options):
        postings, rollups = ledger_rebase()
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebased {postings} posting(s) and removed {rollups} rollup(s); "
                "beat rebuilds the rollups."
            )
        )
