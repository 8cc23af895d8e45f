"""Which kinds of record accept evidence: each declares itself here, from its own app.

The evidence floor sits just above the foundation and knows no app above it. A model of an upper
app joins by decorating itself in its own models module::

    from evidence.registry import accepts_evidence

    @accepts_evidence("incidents")
    class Incident(Tracked):
        ...

That one line is everything: the name (`incidents`) becomes the link field of the evidence API and
form and the "attached to" filter; who may see the evidence of such a record is the record's own
`visible_to(user)`; who may attach or replace it is whoever may change the record
(`<app>.change_<model>`); the record's page shows its evidence with `{% evidence_panel object %}`;
deleting the record removes its links (the evidence and its files stay, visible through its other
records, and the retention job removes files nobody can reach any more).
"""

from dataclasses import dataclass

from django.db.models.signals import post_delete


@dataclass(frozen=True)
class Attachable:
    model: type
    name: str  # the link's name: API field, form field, filter value ("risks")
    label_related: tuple[str, ...] = ()  # what the record's str() reads (joined where records are listed by name)

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def label_singular(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def model_label(self) -> str:
        return self.model._meta.label_lower

    def visible(self, user):
        """The records of this kind `user` sees: the parent's own visibility rule."""
        return self.model.objects.visible_to(user)

    def choices(self, user):
        """The records `user` sees, ready to be named: the form's choices (one query, not one a record)."""
        return self.visible(user).select_related(*self.label_related)

    def writable_by(self, user, record) -> bool:
        meta = self.model._meta
        return user.has_perm(f"{meta.app_label}.change_{meta.model_name}", record)


_REGISTRY: dict[str, Attachable] = {}


def accepts_evidence(name: str, *, label_related: tuple[str, ...] = ()):
    """Class decorator: the model accepts evidence, linked under `name` (a plural, snake_case);
    `label_related` names the relations its `__str__` reads (joined when records are listed by name)."""

    def declare(model):
        existing = _REGISTRY.get(name)
        if existing is not None and existing.model is not model:
            raise ValueError(f"Evidence link name {name!r} is taken by {existing.model_label}.")
        _REGISTRY[name] = Attachable(model=model, name=name, label_related=tuple(label_related))
        post_delete.connect(_drop_links, sender=model, dispatch_uid=f"evidence-links-{model._meta.label_lower}")
        return model

    return declare


def attachables() -> list[Attachable]:
    """Every declared kind, in declaration order."""
    return list(_REGISTRY.values())


def content_type_ids() -> dict[str, int]:
    """{link name: ContentType id} of every declared kind (one query, then Django's cache)."""
    from django.contrib.contenttypes.models import ContentType

    types = ContentType.objects.get_for_models(*[kind.model for kind in _REGISTRY.values()])
    return {kind.name: types[kind.model].pk for kind in _REGISTRY.values()}


def by_name(name: str) -> Attachable | None:
    return _REGISTRY.get(name)


def for_model(model) -> Attachable | None:
    model = model._meta.concrete_model
    return next((a for a in _REGISTRY.values() if a.model is model), None)


def _drop_links(sender, instance, **kwargs):
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    EvidenceLink = apps.get_model("evidence", "EvidenceLink")  # noqa: N806 (by name: models import this module)
    EvidenceLink.objects.filter(content_type=ContentType.objects.get_for_model(sender), object_id=instance.pk).delete()
