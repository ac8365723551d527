"""The ledger's export (民情台账.xlsx): the viewer's ledger (scope and filters of ledger_queryset) with residents'
names and phones unmasked only for the stations the viewer needs them for (sees_contacts). Both the page's
streamed download and the background export job (liaison/exports, over EXPORT_SYNC_MAX_ROWS rows) call
ledger_sheet()."""

from django.utils import timezone

from liaison.exports.registry import Sheet
from liaison.lib.masking import mask_name, mask_phone
from liaison.org.models import Region, Station

from .models import Opinion
from .selectors import ledger_queryset, ledger_rows, sees_contacts

EXPORT_HEADERS = [
    "查询码",
    "登记时间",
    "联络站",
    "渠道",
    "分类",
    "标题",
    "内容",
    "收集代表",
    "群众姓名",
    "联系电话",
    "状态",
    "办理结果",
    "群众评价",
]


# The columns read, in the order of EXPORT_HEADERS (plus the station's id and region path, for sees_contacts):
# plain tuples rather than model instances, which took most of a 100,000-row export's time.
_FIELDS = (
    "code",
    "created_at",
    "station_id",
    "station__region__path",
    "station__name",
    "channel",
    "category__name",
    "title",
    "content",
    "deputy__name",
    "resident_name",
    "resident_phone",
    "state",
    "outcome",
    "rating",
)
CHANNELS = dict(Opinion.Channel.choices)
STATES = dict(Opinion.State.choices)
RATINGS = dict(Opinion.Rating.choices)


def ledger_sheet(user, params) -> Sheet:
    qs, _filters = ledger_queryset(user, params)
    total = qs.count()
    values = ledger_rows(qs).values_list(*_FIELDS)

    def rows():
        allowed = {}
        tz = timezone.get_current_timezone()
        for o in values.iterator(chunk_size=2000):
            (code, created, station_id, path, station, channel, category, title, content, deputy, name, phone,
             state, outcome, rating) = o  # fmt: skip
            show = allowed.get(station_id)
            if show is None:  # once per station: the station as sees_contacts reads it (its id, its region's path)
                show = allowed[station_id] = sees_contacts(user, Station(pk=station_id, region=Region(path=path)))
            yield [
                code,
                created.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                station,
                CHANNELS.get(channel, channel),
                category or "",
                title,
                content,
                deputy or "",
                name if show else mask_name(name),
                phone if show else mask_phone(phone),
                STATES.get(state, state),
                outcome,
                RATINGS.get(rating, "") if rating else "",
            ]

    return Sheet(filename="民情台账.xlsx", title="民情台账", headers=EXPORT_HEADERS, total=total, rows=rows)
