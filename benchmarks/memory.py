"""Resident memory of this process, for the memory benchmarks (evidence_memory.py, import_memory.py)."""

import os
import threading
import time

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


class PeakSampler(threading.Thread):
    """Samples this process's resident memory until stopped; `peak` is the highest sample."""

    def __init__(self, interval=0.002):
        super().__init__(daemon=True)
        self.interval, self.peak, self._halt = interval, rss_bytes(), threading.Event()

    def run(self):
        while not self._halt.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self.interval)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return max(self.peak, rss_bytes())
