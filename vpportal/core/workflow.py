"""Workflow moves declared as a table: a django-fsm transition whose work is only the state change
(or one method of the model) is one line of the model's body, named by its attribute."""

from functools import wraps

from django_fsm import transition


class move:  # lower case: it stands where the `transition` decorator would
    """`assess = move(status, RiskStatus.IDENTIFIED, RiskStatus.ASSESSED)` in a model's body
    declares the same transition method as

        @transition(field=status, source=RiskStatus.IDENTIFIED, target=RiskStatus.ASSESSED)
        def assess(self):
            pass

    `then` (a function of the record) runs with the call's arguments before the state changes, as
    the body of such a method would; the other keywords are `transition`'s (conditions, permission,
    custom). The method is made when Django builds the model class (`contribute_to_class`), so
    django-fsm finds it by its name like any other transition."""

    def __init__(self, field, source, target, *, then=None, **options):
        self.field, self.source, self.target, self.then, self.options = field, source, target, then, options

    def contribute_to_class(self, cls, name):
        then = self.then
        if then is None:

            def method(self):
                pass

        else:

            @wraps(then)  # its signature is the method's
            def method(self, *args, **kwargs):
                return then(self, *args, **kwargs)

        method.__name__, method.__qualname__, method.__module__ = name, f"{cls.__qualname__}.{name}", cls.__module__
        setattr(cls, name, transition(field=self.field, source=self.source, target=self.target, **self.options)(method))
