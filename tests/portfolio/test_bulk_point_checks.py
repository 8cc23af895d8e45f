"""The bulk ingest's one-pass check of common points (`_parse_points`) must agree with the per-point
check (`_parse_point`, which alone words the errors) on every point: the same clean values and the
same errors. This pins the two together, so a rule changed in one and not the other fails here."""

import datetime

import pytest
from django.utils import timezone

from initiatives.services.measurements import _parse_point, _parse_points
from vpportal.core import bounds

NOW = timezone.now()
RECENT = (NOW - datetime.timedelta(hours=1)).isoformat()

POINTS = [
    {"kpi": 1, "observed_at": RECENT, "value": 1.5},
    {"kpi": 2, "observed_at": RECENT, "value": 3, "source": "mlflow", "note": "nightly"},
    {"kpi": 3, "observed_at": "2025-06-01T12:00:00+02:00", "value": -0.25, "source": None, "note": None},
    {"kpi": 4, "observed_at": "2025-06-01T12:00:00", "value": 1.0},  # naive: the reader's time zone
    {"kpi": 5, "observed_at": "1969-12-31T23:59:59+00:00", "value": 1.0},  # before the earliest date
    {"kpi": 6, "observed_at": (NOW + datetime.timedelta(days=1)).isoformat(), "value": 1.0},  # future
    {"kpi": 7, "observed_at": RECENT, "value": float("nan")},
    {"kpi": 8, "observed_at": RECENT, "value": True},  # a boolean is not a number
    {"kpi": 9, "observed_at": RECENT, "value": "4.5"},
    {"kpi": 0, "observed_at": RECENT, "value": 1.0},
    {"kpi": "10", "observed_at": RECENT, "value": 1.0},
    {"kpi": 11, "observed_at": RECENT, "value": 1.0, "note": "nul \x00 inside"},
    {"kpi": 12, "observed_at": RECENT, "value": 1.0, "source": "s" * 101},
    {"kpi": 13, "observed_at": RECENT, "value": 1.0, "note": "n" * (bounds.TEXT_MAX_LENGTH + 1)},
    {"kpi": 14, "observed_at": "not a time", "value": 1.0},
    {"kpi": 15, "value": 1.0},
    ["not", "an", "object"],
    {"kpi": 16, "observed_at": RECENT, "value": 10**400},
]


@pytest.mark.parametrize("tz", ["UTC", "Europe/Berlin"])
def test_the_one_pass_check_agrees_with_the_per_point_check_on_every_point(tz):
    latest_allowed = NOW + bounds.CLOCK_SKEW
    with timezone.override(tz):
        default_tz = timezone.get_current_timezone()
        parsed, errors = _parse_points(POINTS, default_tz, latest_allowed)
        expected = [_parse_point(point, default_tz, latest_allowed) for point in POINTS]
    assert parsed == [clean for clean, _ in expected]
    assert errors == [{"index": i, "errors": errs} for i, (_, errs) in enumerate(expected) if errs]
    assert len(errors) >= 12  # the bad points above are bad (the test compares real errors)
