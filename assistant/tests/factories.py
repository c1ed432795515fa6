"""factory_boy factories for the assistant's conversations and messages."""

import factory

from accounts.tests.factories import UserFactory
from assistant.models import Conversation, Engine, Message, Role


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Coupons for store {n}")


class MessageFactory(factory.django.DjangoModelFactory):
    """A shopper's question by default; `assistant=True` gives an answer from the offline
    engine with one card."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    role = Role.USER
    content = factory.Sequence(lambda n: f"question {n}")

    class Params:
        assistant = factory.Trait(
            role=Role.ASSISTANT,
            content="Here is what I found.",
            engine=Engine.OFFLINE,
            cards=[
                {
                    "type": "offer",
                    "ref": "zara-flat-200",
                    "title": "Flat ₹200 off",
                    "subtitle": "Zara",
                    "image": "",
                    "facts": [["Minimum order", "₹1,000.00"]],
                    "url": "/offers/zara-flat-200/",
                    "actions": [
                        {
                            "label": "Get the code",
                            "method": "post",
                            "url": "/offers/zara-flat-200/claim/",
                            "fields": {"items": "1", "source": "assistant"},
                        },
                        {
                            "label": "See the store",
                            "method": "get",
                            "url": "/stores/zara/",
                            "fields": {},
                        },
                    ],
                }
            ],
        )
