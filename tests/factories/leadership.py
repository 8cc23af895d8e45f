import factory

from leadership.models import ReportJob
from tests.factories.people import UserFactory


class ReportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportJob

    requested_by = factory.SubFactory(UserFactory)
    status = "done"
    progress = 100
    pdf = b"%PDF-1.7 test"
