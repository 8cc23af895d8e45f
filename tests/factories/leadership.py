import factory

from leadership.models import ImportJob, ReportJob
from tests.factories.people import UserFactory


class ReportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportJob

    requested_by = factory.SubFactory(UserFactory)
    status = "done"
    progress = 100
    pdf = b"%PDF-1.7 test"


class ImportJobFactory(factory.django.DjangoModelFactory):
    """A checked preview of a small people file, awaiting its asker's confirmation."""

    class Meta:
        model = ImportJob

    requested_by = factory.SubFactory(UserFactory)
    kind = "people"
    filename = "people.csv"
    content = b"email,name\nimported@example.com,Imported Person\n"
    row_count = 1
    status = "done"
    progress = 100
    report = factory.LazyFunction(
        lambda: {"ok": True, "written": False, "rows": 1, "summary": {"create": 1}, "missing_columns": [], "errors": []}
    )
