"""The till's redemption guard (besides the budget's): the brand's webhooks hear of every
redemption, rollback and used-up book. Runs inside offers' redeem and rollback transactions,
under the code's row lock; the events' delivery rows commit with the redemption."""

from django.db.models import Exists, OuterRef

from brands.models import Brand, BrandOffer, Webhook
from offers.models import CodeStatus, CouponCode

from . import events


class TillGuard:
    def on_redeem(self, *, book, code, audit) -> None:
        brand = _brand(book)
        if brand is None:
            return
        events.emit(brand=brand, event="code.redeemed", data=_redemption_data(book, code, audit))
        if _took_the_last_available_code(book, code):
            data = {"book": str(book.public_id), "name": book.name}
            events.emit(brand=brand, event="book.exhausted", data=data)

    def on_rollback(self, *, book, code, audit, redeemed) -> None:
        brand = _brand(book)
        if brand is None:
            return
        data = _redemption_data(book, code, redeemed)
        data["rolled_back_at"] = audit.created_at.isoformat()
        events.emit(brand=brand, event="code.rolled_back", data=data)


till_guard = TillGuard()


def _took_the_last_available_code(book, code) -> bool:
    """A pool code (nobody's) used up by this redeem, and none left in the pool: the book can
    hand out no more. Read through the partial index on available codes, so a book of a
    million mostly used codes answers at once."""
    if code.holder_id is not None or code.status != CodeStatus.REDEEMED:
        return False
    return not CouponCode.objects.filter(book=book, status=CodeStatus.AVAILABLE).exists()


def _brand(book) -> Brand | None:
    """The brand whose offer the book is for, when it has an active webhook (None: not a
    brand's book, or nobody listening): one query, so a brand without webhooks costs its
    tills one indexed read per redeem and nothing more."""
    listening = Webhook.objects.filter(brand=OuterRef("brand"), active=True)
    link = (
        BrandOffer.objects.select_related("brand")
        .filter(offer_id=book.offer_id)
        .annotate(listening=Exists(listening))
        .first()
    )
    return link.brand if link is not None and link.listening else None


def _redemption_data(book, code, audit) -> dict:
    def text(amount):
        return None if amount is None else str(amount)

    return {
        "code": code.code,
        "book": str(book.public_id),
        "order_reference": audit.order_reference,
        "order_amount": text(audit.order_amount),
        "discount": text(audit.discount_amount),
        "products": audit.products,
        "key": audit.credential or None,
        "redeemed_at": audit.created_at.isoformat(),
        "uses": code.redemption_count,
    }
