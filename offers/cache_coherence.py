"""Keep the click-out's cached offer snapshots in step with the database.

Cache coherence, not business logic: whatever saves an offer or a merchant (the admin, an
import, a service), the cached snapshot is dropped after the commit. Bulk `update()` calls
skip these signals and must call `offer_cache_forget` themselves; the snapshot also expires
by itself after ten minutes, and an offer's end time is checked on every click.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from catalog.models import Merchant

from .clickout import offer_cache_forget
from .models import Offer


def _offer_changed(sender, instance: Offer, **kwargs) -> None:
    public_id = instance.public_id
    transaction.on_commit(lambda: offer_cache_forget(public_ids=[public_id]))


def _merchant_changed(sender, instance: Merchant, **kwargs) -> None:
    transaction.on_commit(lambda: offer_cache_forget(merchant=instance))


def connect() -> None:
    post_save.connect(_offer_changed, sender=Offer, dispatch_uid="offers-cache-offer-save")
    post_delete.connect(_offer_changed, sender=Offer, dispatch_uid="offers-cache-offer-delete")
    post_save.connect(_merchant_changed, sender=Merchant, dispatch_uid="offers-cache-merchant")
