"""Writes on people: pages, admin and API all call these.

CRUD services take the record as their first argument so the generic views, admin and viewsets can
call every model's services the same way; action services are keyword-only.
"""

from vpportal.core.services import create_record, delete_record, update_record
from vpportal.people.models import Person


def person_create(*, by, data: dict) -> Person:
    return create_record(Person, by=by, data=data)


def person_update(person: Person, *, by, data: dict, version: int | None = None) -> Person:
    return update_record(person, by=by, data=data, version=version)


def person_delete(person: Person, *, by, version: int | None = None) -> None:
    delete_record(person, by=by, version=version)


def person_for_user(user) -> Person | None:
    """The Person linked to a login, cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_vp_person"):
        user._vp_person = Person.objects.filter(user=user).first()
    return user._vp_person
