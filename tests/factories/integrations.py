import factory

from integrations.models import Notification, Webhook, WebhookDelivery
from integrations.services import generate_secret
from tests.factories.people import PersonFactory
from vpportal.events.models import Event


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webhook

    url = factory.Sequence(lambda n: f"https://hooks.example.com/{n}")
    event_types = factory.LazyFunction(lambda: ["risk.*"])
    description = factory.Sequence(lambda n: f"Receiver {n}")
    secret = factory.LazyFunction(generate_secret)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    type = "risk.updated"
    object_type = "governance.risk"
    object_id = 1


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    webhook = factory.SubFactory(WebhookFactory)
    event = factory.SubFactory(EventFactory)
    status = "succeeded"


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    event = factory.SubFactory(EventFactory)
    recipient = factory.SubFactory(PersonFactory)
    verb = "assigned"
    text = "You were made the owner of risk RSK-0001."


def seed_api_data():
    WebhookDeliveryFactory(webhook=WebhookFactory())
    NotificationFactory()
