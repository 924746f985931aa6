"""Paging for tables that grow without end (the access log): no COUNT over the whole
filtered set, so a page costs the same with two million rows as with two hundred."""

from django.core.paginator import InvalidPage


class OpenPage:
    """A page of rows, knowing only whether there is a next one (it fetches one row more)."""

    paginator = None  # no total: "Sida 3", not "Sida 3 av 40 000"

    def __init__(self, rows, number, size):
        self.number = number
        fetched = list(rows[(number - 1) * size: number * size + 1])
        self.object_list = fetched[:size]
        self.has_next_page = len(fetched) > size

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self):
        return self.has_next_page

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


def open_page(rows, number, size):
    """The page `number` (1 for anything that is not a positive integer) of rows."""
    try:
        number = int(number or 1)
        if number < 1:
            raise InvalidPage
    except (TypeError, ValueError, InvalidPage):
        number = 1
    return OpenPage(rows, min(number, 10_000), size)
