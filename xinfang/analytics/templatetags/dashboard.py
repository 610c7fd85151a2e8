from django import template

from xinfang.analytics.tables import kind as kind_of_cell
from xinfang.analytics.tables import plain

register = template.Library()


@register.filter
def fmt(value, kind: str) -> str:
    """A table cell for reading: rates as 93.3%, days with one decimal, changes signed, empty as —."""
    v, kind = plain(value), kind_of_cell(value, kind)
    if v is None or v == "":
        return "—"
    if kind == "rate":
        return f"{v * 100:.1f}%"
    if kind == "days":
        return f"{v:.1f}"
    if kind == "pp":
        return f"{v:+.1f}"
    return str(v)


@register.filter
def kind_of(columns, index: int) -> str:
    return columns[index][1]
