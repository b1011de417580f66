"""The one pagination contract of every list: `limit` (one default, one maximum) and `cursor`
query parameters, and one response envelope, `Page[T]` (`items`, `next_cursor`).

A page is read by keyset, never by offset: the query orders by a unique key, starts after the
key the cursor carries and fetches `limit + 1` rows; the extra row only says that another page
follows. `next_cursor` is the key of the page's last item, opaque to the client (send it back
as `cursor`), and null on the last page. Rows written between two requests neither repeat nor
go missing, as they do with offsets.

Lists that answered a bare array or `total` + `items` with `offset` before this contract keep
their shape and parameters (the public API only grows); they take `Limit` from here, and the
billing pages gain `cursor` and `next_cursor` beside `offset`. See docs/architecture.md."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from shared.errors import InvalidInput

DEFAULT_LIMIT = 200
"""The largest default any list had before the contract: no list answers fewer items than it did."""
MAX_LIMIT = 1000
"""The largest maximum any list had before the contract: no request that worked is refused."""

Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"每页条数，默认 {DEFAULT_LIMIT} (items per page, at most {MAX_LIMIT})")
]
Cursor = Annotated[
    str | None,
    Query(
        max_length=64,
        description="上一页的 next_cursor，首页不传 (the previous page's next_cursor; none for the first)",
    ),
]

T = TypeVar("T")
R = TypeVar("R")


class Page(BaseModel, Generic[T]):
    """One page of a list; subclass it per item type (`class OrderPage(Page[OrderOut])`) so the
    schema keeps a readable name."""

    items: list[T]
    next_cursor: str | None = Field(
        description="下一页的游标，末页为 null (the next page's cursor; null on the last page)"
    )


def keyset_page(rows: Sequence[R], limit: int, key: Callable[[R], object]) -> tuple[list[R], str | None]:
    """The page and the next page's cursor from `rows` fetched in key order with `.limit(limit + 1)`."""
    if len(rows) > limit:
        return list(rows[:limit]), str(key(rows[limit - 1]))
    return list(rows), None


def int_cursor(cursor: str | None) -> int | None:
    """The integer key a cursor carries (lists keyed by an integer id); 422 for anything else."""
    if cursor is None:
        return None
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:
        raise InvalidInput(
            "cursor 无效：请使用上一页返回的 next_cursor",
            "cursor is not valid: send the previous page's next_cursor",
            details=[{"field": "cursor", "value": cursor}],
        )
    return int(cursor)
