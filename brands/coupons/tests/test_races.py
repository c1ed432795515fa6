"""Races on PostgreSQL: two people acting on one coupon at the same moment."""

from decimal import Decimal

import pytest

from brands.coupons import services
from brands.coupons.selectors import COUPON_STATUS_LABELS
from brands.coupons.tests.conftest import coupon_fields
from brands.models import OfferChange, OfferChangeAction, Webhook, WebhookDelivery
from coupzii.tests.races import failures, race, successes
from offers.models import Offer, OfferStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_publishes_at_once_log_and_announce_once(brand, store, editor):
    Webhook.objects.create(brand=brand, url="https://hooks.example/coupzii", secret="s")
    created = services.coupon_create(brand=brand, actor=editor.user, **coupon_fields(store))

    def publish():
        brand_offer = type(created).objects.select_related("offer", "brand").get(pk=created.pk)
        return services.coupon_publish(brand_offer=brand_offer, actor=editor.user)

    results = race([publish, publish, publish])

    assert len(successes(results)) == 3  # publishing a live offer again changes nothing
    assert OfferChange.objects.filter(action=OfferChangeAction.PUBLISHED).count() == 1
    assert WebhookDelivery.objects.filter(event="coupon.approved").count() == 1


def test_pause_and_end_at_once_leave_a_history_that_matches_the_status(brand, store, editor):
    created = services.coupon_create(brand=brand, actor=editor.user, **coupon_fields(store))
    services.coupon_publish(brand_offer=created, actor=editor.user)

    def act(service):
        def run():
            brand_offer = type(created).objects.select_related("offer", "brand").get(pk=created.pk)
            return service(brand_offer=brand_offer, actor=editor.user)

        return run

    results = race([act(services.coupon_pause), act(services.coupon_end)])

    final = Offer.objects.get(pk=created.pk).status
    last = OfferChange.objects.filter(offer_id=created.pk).order_by("-id").first()
    assert last.changes["status"][1] == COUPON_STATUS_LABELS[final]
    # Either both in turn (paused, then ended) or the end first (then the pause is refused).
    assert final == OfferStatus.EXPIRED
    assert len(failures(results)) <= 1


def test_two_edits_at_once_are_applied_one_after_the_other(brand, store, editor):
    created = services.coupon_create(brand=brand, actor=editor.user, **coupon_fields(store))

    def edit(value):
        def run():
            brand_offer = type(created).objects.select_related("offer", "brand").get(pk=created.pk)
            return services.coupon_update(
                brand_offer=brand_offer, actor=editor.user, changes={"discount_value": value}
            )

        return run

    race([edit(Decimal("30")), edit(Decimal("40"))])

    updates = list(OfferChange.objects.filter(action=OfferChangeAction.UPDATED).order_by("id"))
    final = Offer.objects.get(pk=created.pk).discount_value
    # Each logged its change against what the other had left: the history chains.
    old_and_new = [[Decimal(v) for v in row.changes["discount_value"]] for row in updates]
    assert len(updates) == 2
    assert old_and_new[0][0] == Decimal("20")
    assert old_and_new[1][0] == old_and_new[0][1]
    assert old_and_new[1][1] == final
