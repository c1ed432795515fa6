"""An order's timeline notes are written in every site language when the step happens
(commerce.services.fulfilment.order_event_add), so the shopper reads them in theirs; older
notes show English."""

from modeltranslation.translator import TranslationOptions, register

from .models import OrderEvent


@register(OrderEvent)
class OrderEventTranslationOptions(TranslationOptions):
    fields = ("note",)
