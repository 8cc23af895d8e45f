"""Recent activity as people read it: repeated changes grouped into one line.

A bulk import or a trainer registering a class writes dozens of history rows in a minute; listed
one by one they push everything else off the dashboard ("created training attendance" fifteen
times). `group_rows()` folds the changes of one actor, one verb (created, changed, deleted) and one
kind of record into one group: consecutive changes always, and a repeated change interleaved with
others when it came within GROUP_WITHIN of the group's oldest change so far. The groups keep the
order of their newest change.

`recent_activity()` is what the dashboard (page and API) and the home page show: it reads the
newest SCAN_ROWS rows of the audit trail's UNION (one statement, leadership/reports/audit_trail.py),
groups them, and builds one event per group (its newest change). A line of one record shows that
record, read for its label and link; a line of several records names their count and links to
their list, so their records are not read. The queries are bounded by the number of models among
the lines that show a record, never by the rows grouped.
"""

import datetime
import functools
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import URLPattern, URLResolver, get_resolver

from leadership.reports.audit_trail import Event, build_events, newest_rows, tracked_models
from vpportal.core.audit import ACTIONS
from vpportal.core.record_urls import current_urlconf, page_url

ACTIVITY_LIMIT = 15  # groups shown
# Rows read to make them: the groups describe these newest changes (a group older than the scan
# would be cut, so the scan stops at the limit-th group, see group_rows()).
SCAN_ROWS = 400
GROUP_WITHIN = datetime.timedelta(hours=1)


def _key(row: dict) -> tuple:
    # The channel is part of the key: a line shows one channel badge, and it must be true of all.
    return row["history_user_id"], row["history_type"], row["model"], row["history_channel"]


def group_rows(rows, *, limit: int = ACTIVITY_LIMIT, within: datetime.timedelta = GROUP_WITHIN) -> list[list[dict]]:
    """`rows` (audit-trail dicts, newest first) folded into at most `limit` groups, newest first.

    A row joins the group of the row before it when they share actor, verb, kind of record and
    channel; otherwise it joins the newest group with that key whose oldest row is at most `within`
    older than it; otherwise it starts a group. The scan stops where a group beyond `limit` would
    start, so the groups together are exactly the newest rows up to there (no later row is missing
    from an earlier group).
    """
    groups: list[list[dict]] = []
    latest_by_key: dict[tuple, list[dict]] = {}
    previous = None
    for row in rows:
        key = _key(row)
        group = latest_by_key.get(key)
        if group is not None and (group is previous or group[-1]["history_date"] - row["history_date"] <= within):
            group.append(row)
        elif len(groups) == limit:
            break
        else:
            group = [row]
            groups.append(group)
            latest_by_key[key] = group
        previous = group
    return groups


@functools.cache
def _list_url_names(urlconf) -> dict[type, str]:
    """{model: URL name of its list page}, read once from the URL configuration (the list pages are
    the views with a model and a filterset whose name ends in `_list`)."""
    found: dict[type, str] = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace) if n)
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and (pattern.name or "").endswith("_list"):
                view = getattr(pattern.callback, "view_class", None)
                model = getattr(view, "model", None)
                if model is not None and getattr(view, "filterset_class", None) is not None:
                    found.setdefault(model, f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver(urlconf).url_patterns, "")
    return found


def changed_since_url(model, since: datetime.datetime) -> str | None:
    """The list of `model` filtered to the records created or changed since `since` (its
    `updated_after` filter, which every list has); None for a model without a list page."""
    name = _list_url_names(current_urlconf()).get(model)
    if name is None:
        return None
    # A record's `updated_at` is stamped just before its history row: a second's margin, whole seconds.
    moment = (since - datetime.timedelta(seconds=1)).astimezone(datetime.UTC).replace(microsecond=0)
    return f"{page_url(name)}?{urlencode({'updated_after': moment.strftime('%Y-%m-%dT%H:%M:%SZ')})}"


def _plural(model, count: int) -> str:
    """ "15 training attendances": a kind whose plural is its singular ("training attendance",
    "evidence") is counted in records."""
    meta = model._meta
    singular, plural = str(meta.verbose_name), str(meta.verbose_name_plural)
    if count == 1:
        return f"1 {singular}"
    return f"{count} {plural}" if plural != singular else f"{count} {singular} records"


def _of_event(name: str) -> property:
    """A property of a group that reads its event's `name`."""
    return property(lambda group: getattr(group.event, name))


@dataclass
class ActivityGroup:
    """One line of recent activity: `event` is the group's newest change (who, verb, when, channel)."""

    event: Event
    count: int  # changes in the group
    records: int  # distinct records they touched
    since: datetime.datetime  # when the oldest of them happened
    label: str  # the record's label (one record), else "15 training attendances"
    url: str | None  # the record (one record), else its list filtered to the changes' time (or its newest record)

    # Who, what and when read as the newest change's.
    when = _of_event("when")
    actor = _of_event("actor")
    username = _of_event("username")
    action = _of_event("action")
    model_name = _of_event("model_name")
    channel = _of_event("channel")

    @property
    def one_record(self) -> bool:
        return self.records == 1


def _line_of_records(model, group: list[dict], records: int) -> tuple[str, str | None, bool]:
    """(label, link, whether the line shows its newest record) of a line of several records: their
    count, and their list filtered to the changes; a kind without a list of its own (a training's
    seats) links to its newest record's page (the training), deleted records to nothing."""
    label = _plural(model, records)
    if ACTIONS.get(group[0]["history_type"]) == "deleted":
        return label, None, False
    url = changed_since_url(model, group[-1]["history_date"])
    return label, url, url is None


def group_events(groups: list[list[dict]], reader) -> list[ActivityGroup]:
    """The lines of `groups` (from group_rows): one event built per group, for its newest change.
    A line's newest record is read (for its label and link) only when the line shows it."""
    models = tracked_models()
    records = [len({row["id"] for row in group}) for group in groups]
    several = [
        _line_of_records(models[group[0]["model"]], group, n) if n > 1 else None
        for group, n in zip(groups, records, strict=True)
    ]
    shows_record = [line is None or line[2] for line in several]
    heads = build_events([group[0] for group in groups], reader, with_records=shows_record)
    lines = []
    for group, head, n, line in zip(groups, heads, records, several, strict=True):
        if line is None:
            label, url = head.label, head.url
        else:
            label, url, from_record = line
            url = head.url if from_record else url
        lines.append(ActivityGroup(head, len(group), n, group[-1]["history_date"], label, url))
    return lines


def recent_activity(reader, limit: int = ACTIVITY_LIMIT) -> list[ActivityGroup]:
    """The newest changes `reader` may see, grouped: at most `limit` lines."""
    return group_events(group_rows(newest_rows(reader, SCAN_ROWS), limit=limit), reader)
