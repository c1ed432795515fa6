"""On PostgreSQL: two budgets for one offer set at the same moment. The check that the offer
has no budget yet is a read; the one-to-one's unique index settles it, and the second is
told plainly (a form error), not answered with a 500."""

from contextlib import contextmanager

import pytest
from django.db import transaction

from brands.models import Budget
from brands.till import budgets, errors
from coupzii.tests.races import race_behind

from .helpers import brand_book, brand_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_budget_set_for_an_offer_while_another_is_being_set_is_refused_plainly():
    book = brand_book(codes=("RACE-1",))
    brand = brand_of(book)

    @contextmanager
    def first_budget_being_saved():
        with transaction.atomic():
            budgets.budget_create(brand=brand, offer=book.offer, max_redemptions=10)
            yield

    results = race_behind(
        first_budget_being_saved,
        [lambda: budgets.budget_create(brand=brand, offer=book.offer, max_redemptions=20)],
    )
    assert isinstance(results[0], errors.BudgetInvalid)
    assert list(
        Budget.objects.filter(offer=book.offer).values_list("max_redemptions", flat=True)
    ) == [10]
