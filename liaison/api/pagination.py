"""The API's paginators: every list pages by cursor.

- `CodeKeysetPagination` (stations, deputies): in code order; the cursor is the last code of the page (signed).
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
from ninja.pagination import PaginationBase

MAX_PAGE_SIZE = 200
CURSOR_SALT = "liaison.api.cursor"


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


class CodeKeysetPagination(KeysetPagination):
    """Lists ordered by their unique public code (stations, deputies): the same `{"items", "next"}` answer."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        size = pagination.page_size or self.page_size
        qs = queryset.order_by("code")
        if pagination.cursor:
            try:
                after = signing.loads(pagination.cursor, salt=CURSOR_SALT + ".code")
            except signing.BadSignature:
                after = None
            if not isinstance(after, str):
                raise ValidationError(
                    [{"loc": ["query", "cursor"], "msg": "游标无效，请从第一页重新开始", "type": "value_error"}]
                )
            qs = qs.filter(code__gt=after)
        rows = list(qs[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        return {"items": rows, "next": signing.dumps(rows[-1].code, salt=CURSOR_SALT + ".code") if more else None}
