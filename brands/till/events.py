"""The till's webhook events (code.redeemed, code.rolled_back, book.exhausted, budget.80,
budget.100), handed to the webhooks area inside the redemption's transaction: the delivery
rows commit with the redemption (or not at all) and are sent after the commit."""

from brands.webhooks.events import event_emit


def emit(*, brand, event: str, data: dict) -> None:
    event_emit(brand=brand, event=event, data=data)
