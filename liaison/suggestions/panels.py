"""Home page panels ("waiting for you") of the suggestion loop, one callable(user) registered in apps.ready()."""

from django.db.models import Q
from django.urls import reverse

from liaison.lib.workdays import WorkCalendar
from liaison.org.selectors import path_q, scope_of
from liaison.suggestions.lifecycles import assignment as assignment_lifecycle

from .models import Assignment, CoSigner, Evaluation, ExtensionRequest, State, Suggestion

LIMIT = 8


def _detail(s):
    return reverse("suggestions:detail", args=[s.code])


def panels(user) -> list[dict]:
    scope = scope_of(user)
    if not user.is_authenticated:
        return []
    out = []
    if scope.deputy_id:
        out.append(_deputy_panel(scope.deputy_id))
    if scope.unit_ids:
        out.append(_unit_panel(scope.unit_ids))
    if scope.write_region_paths:
        out.extend(_staff_panels(scope.write_region_paths))
    if "leader" in scope.roles:
        out.append(_leader_panel(user, scope.region_paths))
    return out


def _deputy_panel(deputy_id) -> dict:
    items = []
    for c in CoSigner.objects.filter(
        deputy_id=deputy_id, state=CoSigner.State.INVITED, suggestion__state=State.COSIGNING
    ).select_related("suggestion")[:LIMIT]:
        items.append(
            {
                "label": f"附议邀请：{c.suggestion.title}",
                "url": _detail(c.suggestion),
                "note": f"截止 {c.deadline:%m-%d}" if c.deadline else "",
            }
        )
    mine = Q(lead_deputy_id=deputy_id) | Q(
        pk__in=CoSigner.objects.filter(deputy_id=deputy_id, state=CoSigner.State.CONFIRMED).values("suggestion_id")
    )
    done = Evaluation.objects.filter(deputy_id=deputy_id).values_list("suggestion_id", "round")
    done = set(done)
    for s in Suggestion.objects.filter(mine, state=State.ANSWERED).order_by("answered_at")[: LIMIT * 2]:
        if (s.pk, s.round) not in done:
            items.append(
                {"label": f"待测评：{s.title}", "url": reverse("suggestions:evaluate", args=[s.code]), "note": "已答复"}
            )
    for s in Suggestion.objects.filter(lead_deputy_id=deputy_id, state__in=(State.DRAFT, State.COSIGNING)).order_by(
        "-created_at"
    )[:LIMIT]:
        items.append({"label": f"草稿：{s.title}", "url": _detail(s), "note": s.get_state_display()})
    return {
        "title": "我的代表建议",
        "items": items[: LIMIT * 2],
        "empty": "暂无需要您处理的建议。会商决定由您起草建议后，可在“代表建议”中起草。",
        "url": reverse("suggestions:list") + "?mine=1",
    }


def _unit_panel(unit_ids) -> dict:
    calendar = WorkCalendar.load()
    from .services import today

    items = []
    for a in (
        Assignment.objects.filter(unit_id__in=unit_ids, state__in=assignment_lifecycle.OPEN)
        .select_related("suggestion")
        .order_by("due_date")[:LIMIT]
    ):
        left = calendar.working_days_between(today(), a.due_date)
        action = {Assignment.State.ASSIGNED: "待签收", Assignment.State.REHANDLING: "重新办理"}.get(a.state, "待答复")
        note = f"{action} · " + (f"已超期 {-left} 个工作日" if left < 0 else f"剩余 {left} 个工作日")
        items.append(
            {"label": a.suggestion.title, "url": reverse("suggestions:assignment", args=[a.code]), "note": note}
        )
    return {
        "title": "待办理的交办建议",
        "items": items,
        "empty": "暂无待办理的建议。人大机关交办后，会在这里提醒您签收和答复。",
        "url": reverse("suggestions:inbox"),
    }


def _staff_panels(paths) -> list[dict]:
    mine = path_q("body__region__path", paths)
    review = [
        {"label": s.title, "url": _detail(s), "note": s.get_state_display()}
        for s in Suggestion.objects.filter(
            mine, state__in=(State.SUBMITTED, State.ACCEPTED, State.RETURNED, State.EVALUATED)
        ).order_by("submitted_at")[:LIMIT]
    ]
    extensions = [
        {
            "label": f"延期申请：{r.assignment.suggestion.title}",
            "url": _detail(r.assignment.suggestion),
            "note": f"{r.assignment.unit.name} 申请 {r.months} 个月",
        }
        for r in ExtensionRequest.objects.filter(
            path_q("assignment__suggestion__body__region__path", paths), state=ExtensionRequest.State.PENDING
        )
        .select_related("assignment__suggestion", "assignment__unit")
        .order_by("created_at")[:LIMIT]
    ]
    overdue = [
        {
            "label": a.suggestion.title,
            "url": _detail(a.suggestion),
            "note": f"{a.unit.name} 超期（期限 {a.due_date:%Y-%m-%d}）",
        }
        for a in Assignment.objects.filter(
            path_q("suggestion__body__region__path", paths), state__in=assignment_lifecycle.OPEN, flag="red"
        )
        .select_related("suggestion", "unit")
        .order_by("due_date")[:LIMIT]
    ]
    return [
        {
            "title": "待审查、交办、办结的建议",
            "items": review,
            "empty": "暂无待处理的建议。代表提交建议后会出现在这里。",
            "url": reverse("suggestions:review-queue"),
        },
        {
            "title": "待审批的延期申请",
            "items": extensions,
            "empty": "暂无延期申请。",
            "url": reverse("suggestions:extensions"),
        },
        {
            "title": "超期未答复的交办",
            "items": overdue,
            "empty": "没有超期的交办事项（督办巡查每日标记临期和超期）。",
            "url": reverse("suggestions:list") + "?flag=red",
        },
    ]


def _leader_panel(user, paths) -> dict:
    qs = Suggestion.objects.filter(key_supervised=True).filter(
        Q(supervising_leader=user) | path_q("body__region__path", paths)
    )
    items = [
        {"label": s.title, "url": _detail(s), "note": s.get_state_display()}
        for s in qs.exclude(state=State.CLOSED).order_by("-created_at")[:LIMIT]
    ]
    return {
        "title": "重点督办建议",
        "items": items,
        "empty": "暂无重点督办建议。可在建议页面列为重点督办并指定督办领导。",
        "url": reverse("suggestions:list") + "?key=1",
    }
