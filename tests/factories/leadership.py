import factory

from leadership.models import ImportJob, ReportJob
from tests.factories.base import DoneJobFactory


class ReportJobFactory(DoneJobFactory):
    class Meta:
        model = ReportJob

    pdf = b"%PDF-1.7 test"


class ImportJobFactory(DoneJobFactory):
    """A checked preview of a small people file, awaiting its asker's confirmation."""

    class Meta:
        model = ImportJob

    kind = "people"
    filename = "people.csv"
    content = b"email,name\nimported@example.com,Imported Person\n"
    row_count = 1
    report = factory.LazyFunction(
        lambda: {"ok": True, "written": False, "rows": 1, "summary": {"create": 1}, "missing_columns": [], "errors": []}
    )
