"""Peak memory of the evidence upload path above idle: a 25 MB upload, and 10 parallel 20 MB ones.

    python benchmarks/evidence_memory.py [--budget-mb 64]

The request body (multipart, as a browser sends it) is read from a file on disk through Django's
multipart parser with the evidence upload handler (evidence/uploads.py: hashing and the size cap
while streaming into a temporary file), then checked by content (evidence/files.py) and stored
under its hash (evidence/storage.py) in a temporary folder: everything an upload does before the
database row. Resident memory is sampled every 2 ms; the figure is the highest sample minus the
idle one taken after a warm-up upload. Exits 1 over the budget (issue 18: 64 MB for 25 MB).
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.memory import PeakSampler, rss_bytes  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpportal.settings")
BOUNDARY = "----evidencebench"


def write_body(path: Path, name: str, size: int, seed: int) -> int:
    """A multipart body with a title field and a CSV file of `size` bytes, written in chunks."""
    line = f"{seed},row,0.123456789,some text of a row\n".encode()
    with path.open("wb") as out:
        out.write(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nBench\r\n'.encode())
        out.write(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n".encode()
        )
        written, block = 0, line * (65536 // len(line))
        while written < size:
            chunk = block[: size - written]
            out.write(chunk)
            written += len(chunk)
        out.write(f"\r\n--{BOUNDARY}--\r\n".encode())
    return path.stat().st_size


def upload(body: Path, length: int):
    from django.http.multipartparser import MultiPartParser

    from evidence import files, storage, uploads

    meta = {"CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}", "CONTENT_LENGTH": str(length)}
    with body.open("rb") as stream:
        _, posted = MultiPartParser(meta, stream, [uploads.EvidenceUploadHandler()]).parse()
    uploaded = posted["file"]
    info = files.inspect(uploaded)
    name, _ = storage.store(uploaded, info.sha256)
    uploaded.close()
    return info, name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-mb", type=float, default=64)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="evidence-bench-"))
    try:
        return measure(work, args.budget_mb)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # about 450 MB of bodies and stored files


def measure(work: Path, budget_mb: float) -> int:
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ.setdefault("TESTING", "1")
    import django

    django.setup()
    from django.conf import settings

    settings.EVIDENCE_MAX_MB = 25
    warm = work / "warm.body"
    upload(warm, write_body(warm, "warm.csv", 100_000, 0))
    single = work / "single.body"
    single_length = write_body(single, "big.csv", 25 * 1024 * 1024 - 4096, 1)
    bodies = []
    for index in range(10):
        body = work / f"parallel-{index}.body"
        bodies.append((body, write_body(body, f"p{index}.csv", 20 * 1024 * 1024, index + 2)))

    idle = rss_bytes()
    sampler = PeakSampler()
    sampler.start()
    started = time.perf_counter()
    info, _ = upload(single, single_length)
    peak_single = sampler.stop() - idle
    print(
        f"25 MB upload: {info.size / 2**20:.1f} MB {info.content_type}, peak {peak_single / 2**20:.1f} MB "
        f"above idle, {time.perf_counter() - started:.1f} s"
    )

    idle = rss_bytes()
    sampler = PeakSampler()
    sampler.start()
    errors = []
    threads = [threading.Thread(target=lambda b=b, n=n: _catch(errors, upload, b, n)) for b, n in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    peak_parallel = sampler.stop() - idle
    print(
        f"10 parallel 20 MB uploads: {len(bodies) - len(errors)} stored, peak {peak_parallel / 2**20:.1f} MB above idle"
    )
    for error in errors:
        print("  refused:", error)
    over = peak_single > budget_mb * 2**20
    if over:
        print(f"over the budget of {budget_mb:g} MB")
    return 1 if over or errors else 0


def _catch(errors, function, *args):
    try:
        function(*args)
    except Exception as error:  # noqa: BLE001 - reported, then the run fails
        errors.append(repr(error))


if __name__ == "__main__":
    sys.exit(main())
