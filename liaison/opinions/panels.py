"""Home-page panels of this app ("waiting for you"), registered in apps.py into liaison.org.views.HOME_PANELS."""

from django.urls import reverse
from django.utils import timezone

from liaison.org.models import Role
from liaison.org.selectors import scope_of

from .lifecycle import ANSWERED, UNDECIDED
from .models import Opinion

LIMIT = 6


def _items(qs, note):
    return [
        {"label": f"{o.code} {o.title}", "url": reverse("opinions-detail", args=[o.code]), "note": note(o)}
        for o in qs[:LIMIT]
    ]


def opinion_panels(user) -> list[dict]:
    from liaison.meetings.models import Meeting

    scope = scope_of(user)
    panels = []
    ledger = reverse("opinions-ledger")
    if scope.write_station_ids and not scope.everything:
        stations = sorted(scope.write_station_ids)
        undecided = Opinion.objects.filter(station_id__in=stations, state__in=UNDECIDED).order_by("created_at")
        n = undecided.count()
        panels.append(
            {
                "title": f"待会商的社情民意（{n}）",
                "items": _items(undecided, lambda o: f"{o.get_state_display()} · {o.created_at:%m-%d}"),
                "empty": "本站没有待处置的社情民意。群众扫码提交、代表走访登记后会出现在这里。",
                "url": ledger + "?state=registered",
            }
        )
        today = timezone.localdate()
        meetings = {
            m.station_id: m
            for m in Meeting.objects.filter(station_id__in=stations, year=today.year, month=today.month).select_related(
                "station"
            )
        }
        items = [
            {
                "label": f"{m.station.name} {m.year}年{m.month}月会商",
                "url": reverse("meetings-detail", args=[m.code]),
                "note": m.get_state_display(),
            }
            for m in meetings.values()
        ]
        if len(meetings) < len(stations):
            items.append({"label": "召开本月会商", "url": reverse("meetings-list"), "note": "本月会商尚未召开"})
        panels.append(
            {"title": "本月会商", "items": items, "empty": "本月会商尚未召开。", "url": reverse("meetings-list")}
        )
    if Role.VILLAGE_COMMITTEE in scope.roles and not scope.everything:
        from .selectors import opinions_visible_to

        todo = opinions_visible_to(user).filter(state=Opinion.State.VILLAGE_HANDLING).order_by("due_date", "created_at")
        panels.append(
            {
                "title": f"交村两委办理的事项（{todo.count()}）",
                "items": _items(todo, lambda o: f"期限 {o.due_date:%Y-%m-%d}" if o.due_date else ""),
                "empty": "没有交村两委办理的事项。月度会商决定“村级办理”的事项会出现在这里。",
                "url": ledger + "?state=village_handling",
            }
        )
    if scope.deputy_id:
        waiting = Opinion.objects.filter(deputy_id=scope.deputy_id, state__in=ANSWERED).order_by(
            "outcome_at", "created_at"
        )
        panels.append(
            {
                "title": f"待我回访群众（{waiting.count()}）",
                "items": _items(waiting, lambda o: o.get_state_display()),
                "empty": "没有待回访的事项。您收集的社情民意有了结果后，会提醒您告知群众。",
                "url": ledger + f"?deputy={user.deputy.code}",
            }
        )
        drafting = Opinion.objects.filter(drafting_deputy_id=scope.deputy_id, state=Opinion.State.TO_SUGGESTION)
        if drafting.exists():
            panels.append(
                {
                    "title": f"会商交我起草建议的社情民意（{drafting.count()}）",
                    "items": _items(
                        drafting.select_related("station").order_by("decided_at"),
                        lambda o: o.station.name if o.station_id else "",
                    ),
                    "empty": "",
                    "url": ledger + "?state=to_suggestion",
                }
            )
    return panels
