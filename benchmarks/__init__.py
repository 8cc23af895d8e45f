"""Benchmarks: the app's speed measured against a baseline in the same run (see docs/scaling.md).

`python benchmarks/run.py --scale full|ci` (make bench / make bench-ci); `python benchmarks/load.py`
(make load). Baseline views live here, in a bench-only URLConf, never in the app's URLs.
"""
