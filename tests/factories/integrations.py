import factory

from integrations.models import AISystemVersion, ModelSource, Notification, RegisteredModel, Webhook, WebhookDelivery
from integrations.services import generate_secret
from tests.factories.people import PersonFactory
from tests.factories.risks import AISystemFactory
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


class ModelSourceFactory(factory.django.DjangoModelFactory):
    """An MLflow registry (mlflow branch); nothing listens on the URI, so a sync fails at once."""

    class Meta:
        model = ModelSource

    name = factory.Sequence(lambda n: f"Registry {n}")
    tracking_uri = "http://127.0.0.1:9"


class RegisteredModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegisteredModel

    source = factory.SubFactory(ModelSourceFactory)
    name = factory.Sequence(lambda n: f"model-{n}")
    ai_system = factory.SubFactory(AISystemFactory)


class AISystemVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AISystemVersion

    registered_model = factory.SubFactory(RegisteredModelFactory)
    ai_system = factory.SelfAttribute("registered_model.ai_system")
    model_version = factory.Sequence(lambda n: str(n + 1))


def seed_api_data():
    WebhookDeliveryFactory(webhook=WebhookFactory())
    NotificationFactory()
