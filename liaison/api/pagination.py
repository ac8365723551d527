"""The API's two paginators.

- `BoundedPageNumberPagination` (stations, deputies): page numbers with bounded inputs — a page or
  page size beyond what any list holds is a 422 with the field named, not an offset the database cannot represent
  (a 500 on SQLite). Answers `{"items", "count"}`.
- `KeysetPagination` (opinions, the list that grows by the hundred thousand per county, and suggestions): a cursor on
  (created_at, id), newest first. Answers `{"items", "next"}`; `next` is an opaque cursor (signed with the
  server's secret, so a client cannot forge a position) to send back as `?cursor=`, null on the last page. Each
  page is one indexed range scan — no OFFSET, no COUNT — and rows added meanwhile neither repeat nor shift
  the pages being walked. ninja 1.7's own CursorPagination orders on one field plus an offset for ties; this
  one is exact on the unique pair. A cursor is not tied to the filters: reuse it only with the same ones.
"""

from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import PageNumberPagination, PaginationBase

MAX_PAGE = 100_000
MAX_PAGE_SIZE = 200
CURSOR_SALT = "liaison.api.cursor"


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)


def encode_cursor(row) -> str:
    return signing.dumps([row.created_at.isoformat(), row.pk], salt=CURSOR_SALT)


def decode_cursor(value: str) -> tuple[datetime, int]:
    try:
        at, pk = signing.loads(value, salt=CURSOR_SALT)
        return datetime.fromisoformat(at), int(pk)
    except (signing.BadSignature, ValueError, TypeError, OverflowError):
        raise ValidationError(
            [{"loc": ["query", "cursor"], "msg": "游标无效，请从第一页重新开始", "type": "value_error"}]
        ) from None


class KeysetPagination(PaginationBase):
    class Input(Schema):
        cursor: str | None = Field(None, max_length=200, description="上一页应答中的 next；不填为第一页")
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    class Output(Schema):
        items: list[Any]
        next: str | None = Field(..., description="下一页的游标；已是最后一页时为 null")

    items_attribute = "items"

    def __init__(self, *, page_size: int = 50, **kwargs):
        self.page_size = page_size
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination: Input, request, **params):
        size = pagination.page_size or self.page_size
        qs = queryset.order_by("-created_at", "-id")
        if pagination.cursor:
            at, pk = decode_cursor(pagination.cursor)
            qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=pk))
        rows = list(qs[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        return {"items": rows, "next": encode_cursor(rows[-1]) if more else None}
