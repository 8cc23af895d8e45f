"""Event-type patterns (`risk.*`, `*.deleted`, `policy_version.approved`): one meaning for the feed's
`type` filter (in SQL) and for webhook subscriptions (in Python)."""

import re

from django.core.exceptions import ValidationError
from django.db.models import Q

PATTERN_RE = re.compile(r"^[a-z0-9_.*]+$")
MSG_BAD_PATTERN = "Use event types such as “risk.accepted”, “risk.*” or “*.deleted” (letters, digits, _ . and *)."


def validate_pattern(pattern: str) -> str:
    pattern = (pattern or "").strip()
    if not PATTERN_RE.match(pattern):
        raise ValidationError(MSG_BAD_PATTERN)
    return pattern


def _regex(pattern: str) -> str:
    return "^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$"


def matches(pattern: str, event_type: str) -> bool:
    return re.match(_regex(pattern), event_type) is not None


def matches_any(patterns, event_type: str) -> bool:
    return any(matches(p, event_type) for p in patterns)


def pattern_q(field: str, pattern: str) -> Q:
    """The SQL condition for one pattern: equality, a prefix or suffix (index-friendly), else a regex."""
    if "*" not in pattern:
        return Q(**{field: pattern})
    if pattern == "*":
        return Q()
    head, _, tail = pattern.partition("*")
    if "*" not in tail:
        condition = Q()
        if head:
            condition &= Q(**{f"{field}__startswith": head})
        if tail:
            condition &= Q(**{f"{field}__endswith": tail})
        return condition
    return Q(**{f"{field}__regex": _regex(pattern)})


def patterns_q(field: str, patterns) -> Q:
    """Any of `patterns`; `*` alone matches everything (an empty Q would vanish inside an OR)."""
    if "*" in patterns:
        return Q()
    condition = Q(pk__in=[])
    for pattern in patterns:
        condition |= pattern_q(field, pattern)
    return condition
