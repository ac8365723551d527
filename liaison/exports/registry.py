"""What can be exported: each kind names one function `(user, params) -> Sheet` that applies the viewer's scope
and masking. The page's synchronous export and the background job both call it, so no rule is written twice."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass
class Sheet:
    filename: str
    title: str
    headers: list[str]
    total: int  # rows the sheet will have (the count before they are read)
    rows: Callable[[], Iterable[list]]  # called once, when the rows are read


# kind → (label shown on the job's page, the sheet function's dotted path)
KINDS = {
    "ledger": ("民情台账", "liaison.opinions.exports.ledger_sheet"),
}


def sheet_for(kind: str, user, params: dict) -> Sheet:
    return import_string(KINDS[kind][1])(user, params)
