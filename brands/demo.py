"""Demo brands for `manage.py seed_demo`: each area of the portal seeds its part, in the order
they build on each other (teams, then coupons and books, then the till's key, budget and
redemptions, webhooks, and last the 90 days of analytics history over all of it)."""

from .analytics.demo import seed_analytics
from .books.demo import seed_books
from .coupons.demo import seed_coupons
from .team.demo import seed_team
from .till.demo import seed_till
from .webhooks.demo import seed_dev_receivers, seed_webhooks


def seed(log) -> None:
    brands = seed_team(log)
    if not brands:
        return
    seed_coupons(brands, log)
    seed_books(brands, log)
    seed_till(brands, log)
    seed_webhooks(brands, log)
    seeded = seed_analytics(brands)
    seed_dev_receivers(brands, log)
    log(f"{len(brands)} brands ready; {seeded} given 90 days of analytics history")
