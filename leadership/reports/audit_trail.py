"""History events across every tracked model: the dashboard's "recent activity" and the API's
`audit` resource.

Each tracked model keeps its own history table. `event_rows()` reads them as one UNION ALL of a
few columns, so counting, filtering, ordering and paginating across models is one query (the
history tables are indexed on `history_date`). `build_events()` then turns one page of rows into
events in a number of queries bounded by the number of models on the page, never by its rows.

Field values hidden from a reader (private mentorship notes) are masked by the model's own rule
(`history_hidden_for(user)`), exactly as on the per-record history page.
"""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import CharField, OuterRef, Subquery, Value
from django.utils.text import capfirst

from vpportal.core import audit
from vpportal.core.models import Tracked

ROW_FIELDS = ("history_id", "history_date", "history_type", "history_user_id", "history_channel", "id")


@functools.cache
def _registry() -> dict[str, tuple[type, type]]:
    # Built once: the models are fixed after start-up, and simple-history's `Model.history` builds a
    # new manager class on every access (about 50 per dashboard request before this cache).
    found = {}
    for model in apps.get_models():
        if issubclass(model, Tracked) and hasattr(model, "history"):
            found[model._meta.label_lower] = (model, model.history.model)
    return dict(sorted(found.items()))


def tracked_models() -> dict[str, type]:
    """{"app_label.model_name": model} of every model with a change history, in a stable order."""
    return {label: model for label, (model, _) in _registry().items()}


def history_model(model) -> type:
    """The historical model of a tracked model."""
    return _registry()[model._meta.label_lower][1]


@functools.cache
def _watermark_sql() -> str:
    quote = connection.ops.quote_name
    return "SELECT " + ", ".join(
        f"(SELECT MAX(history_id) FROM {quote(history._meta.db_table)})" for _, history in _registry().values()
    )


def history_watermark() -> tuple:
    """The newest history id of every tracked model, in one statement of index look-ups: it changes
    with every create, change and delete made through the app (services write history rows)."""
    with connection.cursor() as cursor:
        cursor.execute(_watermark_sql())
        return tuple(cursor.fetchone())


def _restricted_ids(model, reader):
    restrict = getattr(model._default_manager.all(), "restricted_ids_for", None)
    return None if reader is None or restrict is None else restrict(reader)


def event_rows(*, models=None, user_id=None, channel=None, since=None, until=None, reader=None):
    """A queryset of dicts (ROW_FIELDS + `model`), newest first, across the history tables.

    `models`: labels to include (all when None); `since`/`until`: datetimes, both included.
    `reader`: the history of records that do not exist for this user is left out (a contributor's
    view of other people's mentorships); None reads every row (the system).
    """
    parts = []
    for label, model in tracked_models().items():
        if models and label not in models:
            continue
        rows = history_model(model).objects.order_by()
        restricted = _restricted_ids(model, reader)
        if restricted is not None:
            rows = rows.filter(id__in=restricted)
        if user_id is not None:
            rows = rows.filter(history_user_id=user_id)
        if channel:
            rows = rows.filter(history_channel=channel)
        if since is not None:
            rows = rows.filter(history_date__gte=since)
        if until is not None:
            rows = rows.filter(history_date__lte=until)
        parts.append(rows.annotate(model=Value(label, output_field=CharField())).values(*ROW_FIELDS, "model"))
    if not parts:
        return apps.get_model("vpportal", "Person").history.none().values(*ROW_FIELDS)
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return combined.order_by("-history_date", "-history_id")


@dataclass
class Event:
    history_id: int
    model: str
    model_name: str
    object_id: int
    action: str
    when: object
    user_id: int | None
    username: str  # the login (what the audit API answers)
    channel: str
    label: str
    url: str | None
    changes: list = field(default_factory=list)
    actor: str = ""  # who, as people read it: the person's name, else the login, else "System"


def _live_records(model, ids, reader):
    """The records still there, as `reader` may read them (with what their labels and links need)."""
    manager = model._default_manager
    queryset = manager.visible_to(reader) if hasattr(manager, "visible_to") else manager.all()
    if hasattr(queryset, "for_labels"):
        queryset = queryset.for_labels()
    return {obj.pk: obj for obj in queryset.filter(pk__in=ids)}


def _hidden_fields(model, record, reader) -> frozenset[str]:
    """The fields of one history row to mask for `reader`, by the model's own rule applied to the
    row itself: it carries who may read it (a session's recorded participants), so a deleted record
    or a later change of participants decides nothing."""
    rule = getattr(model, "history_hidden_for", None)
    return frozenset() if rule is None else rule(record, reader)


def _changes(model, rows_by_id: dict, prev_ids: dict, reader) -> dict:
    """{history_id: [Change]} comparing each row with the previous row of the same record."""
    history = history_model(model)
    previous = {r.history_id: r for r in history.objects.filter(history_id__in=set(prev_ids.values()) - {None})}
    labels = audit.labels_for_fks(model, [*rows_by_id.values(), *previous.values()])
    fields = audit.tracked_fields(model)
    result = {}
    for history_id, record in rows_by_id.items():
        before = previous.get(prev_ids.get(history_id))
        hidden = _hidden_fields(model, record, reader)
        changes = []
        for f in fields:
            new = audit.field_text(record, f, labels, readable=False)
            old = (
                audit.field_text(before, f, labels, readable=False)
                if before is not None and record.history_type == "~"
                else ""
            )
            if record.history_type == "~" and old == new:
                continue
            if not old and not new and f.name not in hidden:
                continue
            if f.name in hidden:
                old, new = audit.masked(record.history_type)
            changes.append(audit.Change(f.name, capfirst(str(f.verbose_name)), old, new))
        result[history_id] = changes
    return result


def build_events(rows, reader, *, with_changes: bool = False, with_records: list[bool] | None = None) -> list[Event]:
    """Events for one page of `event_rows()` dicts, in the same order.

    `with_records`: per row, whether to read its record for the event's label and link (every row
    when None); an event whose record is not read has an empty label and no link (the caller words
    it, e.g. recent activity's "15 initiatives")."""
    rows = list(rows)
    if with_records is None:
        with_records = [True] * len(rows)
    models = tracked_models()
    by_model, to_read = defaultdict(list), defaultdict(set)
    for row, read in zip(rows, with_records, strict=True):
        by_model[row["model"]].append(row)
        if read:
            to_read[row["model"]].add(row["id"])
    users, actors = {}, {}
    if rows and all(_USERS_READ in row for row in rows):
        # newest_rows() read each row's login and person's name with the rows (no query here).
        for row in rows:
            user_id, login = row["history_user_id"], row[_USERS_READ]
            if user_id is not None and login is not None:
                users[user_id] = login
                actors[user_id] = row["vp_person_name"] if row["vp_person_id"] is not None else login
    else:
        logins = get_user_model().objects.filter(pk__in={r["history_user_id"] for r in rows} - {None})
        for login in logins.select_related("person"):  # the person's name, in the same query
            users[login.pk] = login.get_username()
            person = getattr(login, "person", None)
            actors[login.pk] = person.name if person is not None else users[login.pk]
    live, changes = {}, {}
    for label, model_rows in by_model.items():
        model = models[label]
        live[label] = _live_records(model, to_read[label], reader) if to_read[label] else {}
        if with_changes:
            history = history_model(model)
            before = history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by(
                "-history_id"
            )
            records = history.objects.filter(history_id__in=[r["history_id"] for r in model_rows]).annotate(
                prev_id=Subquery(before.values("history_id")[:1])
            )
            records = {r.history_id: r for r in records}
            prev_ids = {hid: r.prev_id for hid, r in records.items()}
            changes.update({(label, hid): c for hid, c in _changes(model, records, prev_ids, reader).items()})
    events = []
    for row, read in zip(rows, with_records, strict=True):
        model = models[row["model"]]
        obj = live[row["model"]].get(row["id"])
        if not read:
            label = ""
        elif obj is not None:
            label = str(obj)
        else:
            label = f"{model._meta.verbose_name} #{row['id']} (deleted)"
        events.append(
            Event(
                history_id=row["history_id"],
                model=row["model"],
                model_name=str(model._meta.verbose_name),
                object_id=row["id"],
                action=audit.ACTIONS.get(row["history_type"], row["history_type"]),
                when=row["history_date"],
                user_id=row["history_user_id"],
                username=users.get(row["history_user_id"], "system"),
                actor=actors.get(row["history_user_id"], "System"),
                channel=row["history_channel"],
                label=label,
                url=obj.get_absolute_url() if obj is not None and hasattr(obj, "get_absolute_url") else None,
                changes=changes.get((row["model"], row["history_id"]), []),
            )
        )
    return events


# The keys of newest_rows()' rows with their user's login, person's id and name (each None without).
_USERS_READ = "vp_login"


def _with_users(sql: str) -> str:
    """`sql` (history rows, newest first, LIMIT left open) with each row's login and its person's
    name: what build_events() would otherwise read in a query of its own."""
    quote = connection.ops.quote_name
    user_model = get_user_model()
    person = user_model._meta.get_field("person")  # the reverse one-to-one of vpportal's Person
    person_meta = person.related_model._meta
    return (
        f"SELECT newest.*, login.{quote(user_model._meta.get_field(user_model.USERNAME_FIELD).column)} "
        f"AS vp_login, person.{quote(person_meta.pk.column)} AS vp_person_id, "
        f"person.{quote(person_meta.get_field('name').column)} AS vp_person_name "
        f"FROM ({sql} LIMIT %s) AS newest "
        f"LEFT JOIN {quote(user_model._meta.db_table)} login "
        f"ON login.{quote(user_model._meta.pk.column)} = newest.history_user_id "
        f"LEFT JOIN {quote(person_meta.db_table)} person ON person.{quote(person.field.column)} = login."
        f"{quote(user_model._meta.pk.column)} ORDER BY newest.history_date DESC, newest.history_id DESC"
    )


@functools.cache
def _newest_rows_sql(vendor: str) -> tuple[str, tuple]:
    # The unfiltered UNION is the same statement on every call: compiled once per process (building
    # and compiling one queryset per history table cost more than running the statement).
    sql, params = event_rows().query.sql_with_params()
    return _with_users(sql), tuple(params)


def newest_rows(reader, limit: int) -> list[dict]:
    """The newest `limit` rows of `event_rows(reader=reader)` in one statement (ROW_FIELDS + `model`,
    `history_date` an aware datetime on every database), each with its user's login, person's id
    and name (`vp_login`, `vp_person_id`, `vp_person_name`, for build_events())."""
    if any(_restricted_ids(model, reader) is not None for model in tracked_models().values()):
        # Some records do not exist for this reader: their rows are filtered out (not cached).
        sql, params = event_rows(reader=reader).query.sql_with_params()
        sql = _with_users(sql)
    else:
        sql, params = _newest_rows_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    if rows and not _is_aware(rows[0]["history_date"]):  # SQLite: text or naive UTC
        for row in rows:
            row["history_date"] = _aware(row["history_date"])
    return rows


def recent_events(reader, limit: int = 15) -> list[Event]:
    """The newest `limit` changes across every model, one event each (the dashboard's recent
    activity groups them: leadership/reports/activity.py)."""
    return build_events(newest_rows(reader, limit), reader)


def _is_aware(value) -> bool:
    return isinstance(value, datetime.datetime) and value.tzinfo is not None


def _aware(value):
    """What the ORM makes of a stored datetime: SQLite returns UTC as text or a naive datetime."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)
