"""Large imports on a worker (leadership/jobs.py): a file with more than IMPORT_BACKGROUND_ROWS rows
becomes an ImportJob. The worker first runs the preview (the same `run_import`, rolled back), the
job's page shows its row errors; once its asker confirms, the worker runs the import itself, all or
nothing, and the job is finished in the import's own transaction (a job handed out again after a
worker died is imported once; a worker killed mid-import leaves nothing written, and the import
runs again)."""

from django.db import transaction
from django.utils import timezone

from leadership import jobs
from leadership.jobs import progress
from leadership.models import ImportJob, ImportPhase, JobStatus
from vpportal.core.history import as_channel, current_channel

from .importer import Report, run_import
from .tables import read_table


def request_import(user, *, kind: str, filename: str, content: bytes, row_count: int) -> ImportJob:
    """A queued preview of the file for `user`."""
    job = ImportJob.objects.create(
        requested_by=user,
        kind=kind,
        filename=filename,
        content=content,
        row_count=row_count,
        channel=current_channel(),
        step="Waiting for a worker",
    )
    return jobs.queue(job)


def confirm_import(job: ImportJob) -> bool:
    """Queue the import of a preview that found nothing wrong (once: a second confirmation finds
    the job moved on)."""
    moved = ImportJob.objects.filter(
        pk=job.pk, phase=ImportPhase.PREVIEW, status=JobStatus.DONE, report__ok=True
    ).update(
        phase=ImportPhase.IMPORT,
        status=JobStatus.QUEUED,
        progress=0,
        step="Waiting for a worker",
        finished_at=None,
    )
    if moved:
        job.refresh_from_db()
        jobs.queue(job)
    return bool(moved)


def stored(report: Report) -> dict:
    """What the job's page shows of a report: the counts, the missing columns and every row error."""
    return {
        "ok": report.ok,
        "written": report.written,
        "rows": len(report.rows),
        "summary": report.summary,
        "missing_columns": report.missing_columns,
        "errors": [{"line": row.line, "errors": row.errors} for row in report.errors],
    }


def _work(job: ImportJob) -> None:
    rows = read_table(bytes(job.content), job.filename)
    with as_channel(job.channel):
        _phase(job, rows)


def _phase(job: ImportJob, rows: list[dict]) -> None:
    if job.phase == ImportPhase.PREVIEW:
        report = run_import(job.kind, rows, by=job.requested_by, preview=True)
        progress(job, 100, "Checked", status=JobStatus.DONE, report=stored(report), finished_at=timezone.now())
        return
    progress(job, 10, f"Importing {len(rows)} rows")
    with transaction.atomic():
        # Locked again: a second worker given the same job waits here, then finds it finished.
        if ImportJob.objects.select_for_update().filter(pk=job.pk, status=JobStatus.DONE).exists():
            return
        report = run_import(job.kind, rows, by=job.requested_by, preview=False)
        done = {"report": stored(report), "finished_at": timezone.now()}
        if report.written:
            done["content"] = None  # imported: the file is not needed any more
        progress(job, 100, "Imported" if report.written else "Not imported", status=JobStatus.DONE, **done)


def run_job(job_id: int) -> bool:
    """The job's current phase; answers whether it ran now (a finished phase is left as it is)."""
    phase = ImportJob.objects.filter(pk=job_id).values_list("phase", flat=True).first()
    first = "Importing the rows" if phase == ImportPhase.IMPORT else "Checking the rows"
    return jobs.run(ImportJob, job_id, _work, first)
