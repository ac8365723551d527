"""Congress staff and leaders: review queue, assignment, extensions, closing, supervision and reminders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from liaison.lib.errors import DomainError
from liaison.lib.workdays import WorkCalendar
from liaison.org.models import Body
from liaison.org.selectors import path_q, scope_of

from .. import forms, services
from ..lifecycles import suggestion as suggestion_lifecycle
from ..models import (
    ExtensionRequest,
    State,
)
from ..selectors import (
    access_suggestion,
    leaders_for,
    suggestions_visible_to,
    units_assignable_for,
)
from ..services import supervision
from .common import back_to, fail, page_of


@login_required
def review_queue(request):
    scope = scope_of(request.user)
    if not (scope.everything or scope.write_region_paths):
        raise PermissionDenied("只有人大机关工作人员可以审查建议")
    # Start from the user's scope, then keep what their own bodies review (staff write regions).
    mine = suggestions_visible_to(request.user)
    if not scope.everything:
        mine = mine.filter(path_q("body__region__path", scope.write_region_paths))
    qs = mine.filter(state=State.SUBMITTED)
    waiting = list(
        mine.filter(state__in=(State.ACCEPTED, State.RETURNED))
        .select_related("body", "category")
        .order_by("accepted_at", "id")[:100]
    )
    page = page_of(request, qs.select_related("body", "lead_deputy", "category").order_by("submitted_at", "id"))
    # 交办时限 from each body's own setting (Body.assign_working_days), counted on the working-day calendar.
    calendar, today = WorkCalendar.load(), services.today()
    for s in waiting:
        s.assign_by = s.assign_overdue = None
        if s.state == State.ACCEPTED and s.accepted_at:
            accepted_on, limit = timezone.localdate(s.accepted_at), s.body.assign_working_days
            s.assign_by = supervision.assign_by(accepted_on, limit, calendar)
            s.assign_overdue = supervision.is_assign_overdue(accepted_on, limit, today, calendar)
    bodies = (
        Body.objects.all()
        if scope.everything
        else Body.objects.filter(path_q("region__path", scope.write_region_paths))
    )
    limits = list(bodies.order_by("region__path").values_list("name", "assign_working_days"))
    return render(
        request,
        "suggestions/review_queue.html",
        {
            "page": page,
            "total": page.paginator.count,
            "waiting": waiting,
            "assign_limits": limits,
            "assign_limit": limits[0][1] if len({n for _, n in limits}) == 1 else None,
        },
    )


@login_required
def extension_queue(request):
    scope = scope_of(request.user)
    if not (scope.everything or scope.write_region_paths):
        raise PermissionDenied("只有人大机关工作人员可以审批延期")
    qs = ExtensionRequest.objects.filter(
        state=ExtensionRequest.State.PENDING, assignment__suggestion__in=suggestions_visible_to(request.user)
    ).select_related("assignment__unit", "assignment__suggestion")
    if not scope.everything:
        qs = qs.filter(path_q("assignment__suggestion__body__region__path", scope.write_region_paths))
    return render(request, "suggestions/extension_queue.html", {"requests": qs.order_by("created_at")[:200]})


@login_required
@require_POST
def review(request, code):
    suggestion = access_suggestion(request.user, code)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审查意见")
        return back_to(suggestion)
    data = form.cleaned_data
    try:
        if data["decision"] == "accept":
            services.accept_suggestion(suggestion=suggestion, actor=request.user, note=data["reason"])
            messages.success(request, f"已立案：{suggestion.case_number}")
            return redirect("suggestions:assign", suggestion.code)
        if data["decision"] == "merge":
            key = data["merge_into"].strip()
            into = (
                suggestions_visible_to(request.user)
                .select_related("body")
                .filter(Q(code=key.upper()) | Q(case_number=key))
                .first()
            )
            if into is None:
                raise DomainError("未找到要并入的建议")
            services.merge_suggestion(suggestion=suggestion, actor=request.user, into=into, reason=data["reason"])
            messages.success(request, "已并案")
        else:
            services.reject_suggestion(suggestion=suggestion, actor=request.user, reason=data["reason"])
            messages.success(request, "已不予立案，理由已告知代表")
    except DomainError as exc:
        fail(request, exc)
    return back_to(suggestion)


@login_required
@require_http_methods(["GET", "POST"])
def assign(request, code):
    suggestion = access_suggestion(request.user, code)
    suggestion_lifecycle.require(request.user, "assign", suggestion)  # before the form: a wrong role gets 403
    proposed = list(services.proposed_units(suggestion)[:10])
    form = forms.AssignForm(request.POST or None, units=units_assignable_for(suggestion), proposed=proposed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["mode"] == "split":
                services.assign_suggestion(
                    suggestion=suggestion, actor=request.user, split=data["split_pairs"], note=data["note"]
                )
            else:
                services.assign_suggestion(
                    suggestion=suggestion, actor=request.user, lead=data["lead"], co=data["co"], note=data["note"]
                )
        except DomainError as exc:
            fail(request, exc)
        else:
            messages.success(request, "已交办")
            return back_to(suggestion)
    return render(request, "suggestions/assign.html", {"suggestion": suggestion, "form": form, "proposed": proposed})


@login_required
@require_POST
def reassign(request, code, acode):
    suggestion = access_suggestion(request.user, code)
    assignment = get_object_or_404(suggestion.assignments.select_related("unit", "suggestion"), code=acode)
    form = forms.ReassignForm(request.POST, units=units_assignable_for(suggestion))
    if not form.is_valid():
        messages.error(request, "请选择承办单位")
        return back_to(suggestion)
    try:
        services.reassign_assignment(
            assignment=assignment, actor=request.user, unit=form.cleaned_data["unit"], note=form.cleaned_data["note"]
        )
        messages.success(request, "已重新交办")
    except DomainError as exc:
        fail(request, exc)
    return back_to(suggestion)


@login_required
@require_POST
def decide_extension(request, code, pk):
    suggestion = access_suggestion(request.user, code)
    item = get_object_or_404(
        ExtensionRequest.objects.select_related("assignment__unit", "assignment__suggestion"),
        pk=pk,
        assignment__suggestion=suggestion,
    )
    try:
        services.decide_extension(
            request=item,
            actor=request.user,
            approve=request.POST.get("approve") == "1",
            note=request.POST.get("note", "")[:500],
        )
        messages.success(request, "已审批延期申请")
    except DomainError as exc:
        fail(request, exc)
    return back_to(suggestion)


@login_required
@require_POST
def close(request, code):
    suggestion = access_suggestion(request.user, code)
    try:
        services.close_suggestion(suggestion=suggestion, actor=request.user, note=request.POST.get("note", "")[:500])
        messages.success(request, "建议已办结")
    except DomainError as exc:
        fail(request, exc)
    return back_to(suggestion)


@login_required
@require_POST
def supervise(request, code):
    suggestion = access_suggestion(request.user, code)
    form = forms.SuperviseForm(request.POST, leaders=leaders_for(suggestion))
    if not form.is_valid():
        messages.error(request, "请检查督办信息")
        return back_to(suggestion)
    data = form.cleaned_data
    try:
        if data["action"] == "note":
            services.add_supervision_note(suggestion=suggestion, actor=request.user, text=data["note"])
        else:
            services.set_key_supervision(
                suggestion=suggestion,
                actor=request.user,
                key=data["action"] == "key",
                leader=data["leader"],
                note=data["note"],
            )
        messages.success(request, "已记录督办")
    except DomainError as exc:
        fail(request, exc)
    return back_to(suggestion)


@login_required
@require_POST
def remind(request, code, acode):
    suggestion = access_suggestion(request.user, code)
    assignment = get_object_or_404(suggestion.assignments.select_related("unit", "suggestion"), code=acode)
    try:
        services.remind_unit(assignment=assignment, actor=request.user, note=request.POST.get("note", "")[:300])
        messages.success(request, "已催办")
    except DomainError as exc:
        fail(request, exc)
    return back_to(suggestion)
