"""Model choices of one model looked up together, shared by the team forms and the team FilterSets
(a FilterSet's form is a form too, but FilterSets do not import the forms module)."""

from functools import partial

from django.core.exceptions import ValidationError


def _pk(value):
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**63 else None  # the field's own lookup answers anything else


def resolve_together(form, names):
    """Look up several model choices of one model (mentor and mentee) in one query, not one per field.

    Besides the saved query, two identical per-field lookups read as an N+1 to django-zeal. A value
    outside the field's queryset is refused with the field's own "invalid choice" message.
    """
    if not form.is_bound:
        return
    queryset = form.fields[names[0]].queryset
    ids = set()
    for name in names:
        field = form.fields[name]
        ids |= {_pk(form.data.get(form.add_prefix(name))), _pk(form.get_initial_for_field(field, name))}
    found = queryset.in_bulk(ids - {None}) if ids - {None} else {}
    for name in names:
        field = form.fields[name]
        field.to_python = partial(_known_choice, found, field)


def _known_choice(found, field, value):
    if value in field.empty_values:
        return None
    choice = found.get(_pk(value))
    if choice is None:
        raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
    return choice
