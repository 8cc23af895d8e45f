"""Values a QuerySet derives in the database (scores, levels, statuses) read on the model."""


class derived:  # noqa: N801 - used like @property
    """A read-only attribute the QuerySet annotates under the same name.

    A non-data descriptor: Django stores the annotation in the instance's `__dict__`, which Python
    reads before this descriptor, so an annotated row shows the database's value. A record read
    without the annotation (or built in memory) computes it with `compute(record)`, which must
    follow the same definition as the annotation. There is no setter to swallow a value.
    """

    def __init__(self, compute):
        self.compute = compute
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return self.compute(instance)
