"""Evidence packs built in the background (Celery): a selection larger than EVIDENCE_PACK_INLINE_MB
is not zipped during the request. The page offers to build it; a job records the evidence the asker
chose, a worker writes the ZIP (evidence.pack.write) into a temporary file on its own disk and then
into the evidence storage, with the asker's visibility read again; the job's page follows the
progress and then offers the download. A job handed out again after a worker died builds again;
a finished one is left as it is."""

import datetime
import logging
import tempfile

from celery import current_app
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from . import pack, storage
from .choices import PackJobStatus
from .models import Evidence, EvidencePackJob

logger = logging.getLogger(__name__)
MSG_NO_WORKER = "The background worker could not be reached. Try again in a minute."
PREFIX = "evidence-packs"


def request_pack(user, evidence_queryset, name: str) -> EvidencePackJob:
    """A queued job for `user` over the evidence `evidence_queryset` selects (already limited to
    what they see); the build is queued once the job is committed."""
    ids = list(evidence_queryset.order_by("pk").values_list("pk", flat=True))
    job = EvidencePackJob.objects.create(
        requested_by=user, name=name, evidence_ids=ids, file_count=len(ids), step="Waiting for a worker"
    )

    def queue():
        try:
            current_app.send_task("evidence.tasks.build_pack_task", args=[job.pk])
        except Exception:  # the broker is down: say so on the job's page rather than wait forever
            logger.warning("Could not queue evidence pack job %s", job.pk, exc_info=True)
            EvidencePackJob.objects.filter(pk=job.pk, status=PackJobStatus.QUEUED).update(
                status=PackJobStatus.FAILED, error=MSG_NO_WORKER, finished_at=timezone.now()
            )

    transaction.on_commit(queue)
    return job


def _progress(job: EvidencePackJob, percent: int, step: str, **fields) -> None:
    job.progress, job.step = percent, step
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["progress", "step", *fields])


def stored_name_of(job: EvidencePackJob) -> str:
    return f"{PREFIX}/{job.pk}.zip"


def build_job(job_id: int) -> bool:
    """Build the job's ZIP (idempotent: a finished job is left as it is). Answers whether it built now."""
    with transaction.atomic():
        job = EvidencePackJob.objects.select_for_update().select_related("requested_by").filter(pk=job_id).first()
        if job is None or job.finished:
            return False
        _progress(job, 1, "Reading the evidence", status=PackJobStatus.RUNNING)
    try:
        # Read again with the asker's visibility: evidence they no longer see stays out.
        evidence = pack.rows(Evidence.objects.visible_to(job.requested_by).filter(pk__in=job.evidence_ids))
        step = max(1, len(evidence) // 50)  # at most about 50 progress writes

        def progress(done, total):
            if done % step == 0 or done == total:
                _progress(job, 2 + int(90 * done / max(total, 1)), f"Packing file {done} of {total}")

        name = stored_name_of(job)
        with tempfile.TemporaryFile(prefix="evidence-pack-") as target:
            pack.write(evidence, target, progress)
            _progress(job, 95, "Storing the pack")
            size = target.tell()
            target.seek(0)
            store = storage.evidence_storage()
            if store.exists(name):  # left by an earlier attempt that died before it finished
                store.delete(name)
            stored = store.save(name, File(target, name=name))
    except Exception as exc:
        logger.exception("Evidence pack job %s failed", job_id)
        _progress(
            job, job.progress, "Failed", status=PackJobStatus.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        return False
    _progress(
        job,
        100,
        "Ready",
        status=PackJobStatus.DONE,
        stored_name=stored,
        size=size,
        file_count=len(evidence),
        finished_at=timezone.now(),
    )
    return True


def prune_jobs(now=None) -> int:
    """Delete pack jobs older than EVIDENCE_PACK_RETENTION_DAYS, and their ZIPs."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.EVIDENCE_PACK_RETENTION_DAYS)
    old = EvidencePackJob.objects.filter(created_at__lt=cutoff)
    for name in old.exclude(stored_name="").values_list("stored_name", flat=True):
        storage.delete_stored(name)
    return old.delete()[0]
