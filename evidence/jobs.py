"""Evidence packs built in the background (Celery): a selection larger than EVIDENCE_PACK_INLINE_MB
is not zipped during the request. The page offers to build it; a job records the evidence the asker
chose, a worker writes the ZIP (evidence.pack.write) into a temporary file on its own disk and then
into the evidence storage, with the asker's visibility read again; the job's page follows the
progress and then offers the download. A job handed out again after a worker died builds again;
a finished one is left as it is."""

import datetime
import tempfile

from django.conf import settings
from django.core.files import File
from django.utils import timezone

from vpportal.core import jobs
from vpportal.core.jobs import MSG_NO_WORKER, JobStatus, progress

from . import pack, storage
from .models import Evidence, EvidencePackJob

__all__ = ["MSG_NO_WORKER", "build_job", "prune_jobs", "request_pack", "stored_name_of"]
PREFIX = "evidence-packs"


def request_pack(user, evidence_queryset, name: str) -> EvidencePackJob:
    """A queued job for `user` over the evidence `evidence_queryset` selects (already limited to
    what they see); the build is queued once the job is committed."""
    ids = list(evidence_queryset.order_by("pk").values_list("pk", flat=True))
    job = EvidencePackJob.objects.create(
        requested_by=user, name=name, evidence_ids=ids, file_count=len(ids), step="Waiting for a worker"
    )
    return jobs.queue(job)


def stored_name_of(job: EvidencePackJob) -> str:
    return f"{PREFIX}/{job.pk}.zip"


def _build(job: EvidencePackJob) -> None:
    # Read again with the asker's visibility: evidence they no longer see stays out.
    evidence = pack.rows(Evidence.objects.visible_to(job.requested_by).filter(pk__in=job.evidence_ids))
    step = max(1, len(evidence) // 50)  # at most about 50 progress writes

    def packed(done, total):
        if done % step == 0 or done == total:
            progress(job, 2 + int(90 * done / max(total, 1)), f"Packing file {done} of {total}")

    name = stored_name_of(job)
    with tempfile.TemporaryFile(prefix="evidence-pack-") as target:
        pack.write(evidence, target, packed)
        progress(job, 95, "Storing the pack")
        size = target.tell()
        target.seek(0)
        store = storage.evidence_storage()
        if store.exists(name):  # left by an earlier attempt that died before it finished
            store.delete(name)
        stored = store.save(name, File(target, name=name))
    progress(
        job,
        100,
        "Ready",
        status=JobStatus.DONE,
        stored_name=stored,
        size=size,
        file_count=len(evidence),
        finished_at=timezone.now(),
    )


def build_job(job_id: int) -> bool:
    """Build the job's ZIP (idempotent: a finished job is left as it is). Answers whether it built now."""
    return jobs.run(EvidencePackJob, job_id, _build, "Reading the evidence", percent=1)


def prune_jobs(now=None) -> int:
    """Delete pack jobs older than EVIDENCE_PACK_RETENTION_DAYS, and their ZIPs."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.EVIDENCE_PACK_RETENTION_DAYS)
    old = EvidencePackJob.objects.filter(created_at__lt=cutoff)
    for name in old.exclude(stored_name="").values_list("stored_name", flat=True):
        storage.delete_stored(name)
    return old.delete()[0]
