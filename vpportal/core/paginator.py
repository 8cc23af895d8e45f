"""The web lists' paginator: Django's, with the API's count (vpportal/core/counting.py).

While the count is exact (always, unless counting a very large whole table would exceed the time
budget) it is Django's Paginator exactly. With a vouched estimate the last page is not known: a
page then reads one row more than it shows to know whether a next page exists, the page number has
no upper bound (past the end is an empty page, a 404 as before), and the page says "about".
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property

from .counting import bounded_count, page_past_count


class BoundedPaginator(Paginator):
    @cached_property
    def _counted(self) -> tuple[int, bool]:
        return bounded_count(self.object_list)

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_is_estimate(self) -> bool:
        return self._counted[1]

    def validate_number(self, number):
        if not self.count_is_estimate:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        if not self.count_is_estimate:
            return super().page(number)
        number = self.validate_number(number)
        rows, has_next = page_past_count(self.object_list, (number - 1) * self.per_page, self.per_page)
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return EstimatedPage(rows, number, self, has_next=has_next)


class EstimatedPage(Page):
    """A page of an estimated count: whether a next page exists was read, not computed."""

    def __init__(self, object_list, number, paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self):
        return self._has_next
