"""Writes on people: pages, admin and API all call these.

CRUD services take the record as their first argument so the generic views, admin and viewsets can
call every model's services the same way; action services are keyword-only.
"""

from vpportal.core.services import Writes, create_record, delete_record, update_record
from vpportal.people.models import Person


def person_create(*, by, data: dict) -> Person:
    return create_record(Person, by=by, data=data)


def person_update(person: Person, *, by, data: dict, version: int | None = None) -> Person:
    return update_record(person, by=by, data=data, version=version)


def person_delete(person: Person, *, by, version: int | None = None) -> None:
    delete_record(person, by=by, version=version)


# What pages, admin and API call to write each model (vpportal.core.services.Writes).
PERSON_WRITES = Writes(create=person_create, update=person_update, delete=person_delete)
