"""Keep the click-out's cached offer snapshots in step with the database.

Cache coherence, not business logic: whatever saves an offer or a merchant (the admin, an
import, a service), the cached snapshot is dropped after the commit. Bulk `update()` calls
skip these signals and must call `offer_cache_forget` themselves; the snapshot also expires
by itself after ten minutes, and an offer's end time is checked on every click.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

from catalog.models import Category, Merchant

from .clickout import offer_cache_forget
from .models import Offer

VERSION_KEY = "catalog:version"


def catalog_version() -> int:
    """Part of every cached catalog page's key: bumping it retires them all at once."""
    return cache.get(VERSION_KEY) or 0


def catalog_cached(name: str, compute, *, timeout: int):
    """`compute()`, cached until `timeout` runs out or anything in the catalog changes."""
    key = f"catalog:{catalog_version()}:{get_language()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def _bump_catalog_version() -> None:
    if not cache.add(VERSION_KEY, 1, timeout=None):
        cache.incr(VERSION_KEY)


def _offer_changed(sender, instance: Offer, **kwargs) -> None:
    public_id = instance.public_id
    transaction.on_commit(lambda: offer_cache_forget(public_ids=[public_id]))
    transaction.on_commit(_bump_catalog_version)


def _merchant_changed(sender, instance: Merchant, **kwargs) -> None:
    transaction.on_commit(lambda: offer_cache_forget(merchant=instance))
    transaction.on_commit(_bump_catalog_version)


def _category_changed(sender, instance: Category, **kwargs) -> None:
    transaction.on_commit(_bump_catalog_version)


def connect() -> None:
    post_save.connect(_offer_changed, sender=Offer, dispatch_uid="offers-cache-offer-save")
    post_delete.connect(_offer_changed, sender=Offer, dispatch_uid="offers-cache-offer-delete")
    post_save.connect(_merchant_changed, sender=Merchant, dispatch_uid="offers-cache-merchant")
    for signal in (post_save, post_delete):
        signal.connect(
            _category_changed, sender=Category, dispatch_uid=f"offers-cache-category-{signal}"
        )
