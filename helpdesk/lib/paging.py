"""Pages of a long list without counting all of it.

An exact count reads every matching row (a search matching tens of thousands of cases
spent most of its time counting them). BoundedPaginator counts only as far as it must:
BOUND rows, or up to the page asked for and one row beyond. Past that the list says
"more than N"; each page further on counts a little further.
"""

from functools import cached_property

from django.core.paginator import Paginator

BOUND = 1000
MAX_PAGE = 100_000


class BoundedPaginator(Paginator):
    def __init__(
        self,
        object_list,
        per_page,
        *,
        page: str | int | None = None,
        bound=None,
        count_in_order: bool = False,
    ):
        """`count_in_order`: count the rows in the list's order, as the page reads them.

        Without an order the database may count by whatever reads fewest rows on its
        estimate; when that estimate is poor (a text search, whose matches it cannot
        place in the table) reading in the page's order finds the first rows as the page
        itself does.
        """
        super().__init__(object_list, per_page)
        self.count_in_order = count_in_order
        try:
            # Past the last page Django shows the last one; a number past any real
            # page counts no further than this (a database LIMIT has its bounds too).
            asked = min(max(int(page), 1), MAX_PAGE)
        except (TypeError, ValueError):
            asked = 1
        # Enough to show the page asked for and whether there is a page after it.
        self.bound = max(BOUND if bound is None else bound, (asked + 1) * per_page)

    @cached_property
    def count(self) -> int:
        """The number of rows, or bound + 1 when there are more than `bound`."""
        # Order and annotations do not change how many rows there are: leave them out,
        # so the database need not sort every match to count the first of them.
        rows = self.object_list if self.count_in_order else self.object_list.order_by()
        return rows.values("pk")[: self.bound + 1].count()

    @property
    def more(self) -> bool:
        """True when there are more rows than were counted."""
        return self.count > self.bound
