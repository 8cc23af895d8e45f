"""What several factories share: keys as the create services give them, finished background jobs, and
dates relative to today."""

from datetime import date, timedelta

import factory

from tests.factories.people import UserFactory


def days_from_today(days: int) -> factory.LazyFunction:
    """A date `days` after the day the record is made (before it when negative)."""
    return factory.LazyFunction(lambda: date.today() + timedelta(days=days))


class KeyedFactory(factory.django.DjangoModelFactory):
    """A record whose key the create service derives from its primary key (`save_new(key_format=...)`).
    Factories insert without the service, so the key is set the same way right after the insert; a
    factory names the service's format in `_key_format` (underscored: not a field)."""

    _key_format = ""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        if not obj.key:
            obj.key = cls._key_format.format(obj.pk)
            model_class.objects.filter(pk=obj.pk).update(key=obj.key)
        return obj


class DoneJobFactory(factory.django.DjangoModelFactory):
    """A background job a worker has finished for the user who asked."""

    class Meta:
        abstract = True

    requested_by = factory.SubFactory(UserFactory)
    status = "done"
    progress = 100
