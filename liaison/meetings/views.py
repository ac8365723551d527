"""Meeting pages: list, open, agenda with decisions, attendance, close, minutes. Thin views over services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from liaison.lib.codes import normalise_code
from liaison.lib.errors import DomainError
from liaison.opinions.models import Opinion
from liaison.opinions.selectors import stations_headed_by
from liaison.org.models import Deputy
from liaison.org.selectors import access_station, scope_of

from . import lifecycle, services
from .forms import AttendanceForm, DecisionForm, OpenMeetingForm, units_for
from .minutes import build_minutes
from .models import AgendaItem, Meeting
from .selectors import access_meeting, meeting_list, previous_month, report_back_section


@login_required
def meetings(request):
    scope = scope_of(request.user)
    if not (scope.everything or scope.region_paths or scope.station_ids):
        raise Http404("没有可查看的会商")
    today = timezone.localdate()
    qs = meeting_list(request.user)
    station_code = request.GET.get("station", "")
    if station_code:
        qs = qs.filter(station__code=station_code)
    # Stations whose head this user is (or manages), without this month's meeting yet.
    can_open = list(stations_headed_by(request.user).select_related("region"))
    held = set(
        Meeting.objects.filter(year=today.year, month=today.month, station__in=can_open).values_list(
            "station_id", flat=True
        )
    )
    return render(
        request,
        "meetings/list.html",
        {
            "meetings": qs[:200],
            "can_open": [s for s in can_open if s.pk not in held],
            "today": today,
            "open_form": OpenMeetingForm(),
        },
    )


@login_required
@require_POST
def meeting_open(request, station_code):
    station = access_station(request.user, station_code)
    lifecycle.require_open_permission(request.user, station)  # before the form: a wrong role is told so
    form = OpenMeetingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写正确的会商时间")
        return redirect("meetings-list")
    held_at = form.cleaned_data["held_at"]
    try:
        meeting = services.open_meeting(
            station=station,
            year=held_at.year,
            month=held_at.month,
            held_at=held_at,
            place=form.cleaned_data["place"],
            chair=form.cleaned_data["chair"],
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("meetings-list")
    messages.success(request, f"已召开会商，议题 {meeting.items.count()} 项")
    return redirect("meetings-detail", code=meeting.code)


@login_required
def meeting_detail(request, code):
    meeting = access_meeting(request.user, code)
    station = meeting.station
    allowed = lifecycle.allowed_actions(request.user, meeting)
    items = list(
        meeting.items.select_related(
            "opinion__category", "opinion__deputy", "opinion__referred_unit", "opinion__drafting_deputy"
        ).order_by("position", "id")
    )
    if "decide" in allowed:
        units = list(units_for(station))
        deputies = list(Deputy.objects.filter(stationings__station=station).order_by("code"))
        for item in items:
            if not item.decision:
                item.form = DecisionForm(
                    station=station, units=units, deputies=deputies, prefix=f"i{item.pk}", auto_id=f"i{item.pk}_%s"
                )
    attendances = {a.deputy_id: a.present for a in meeting.attendances.all()}
    attendance_form = AttendanceForm(
        station=station, initial={"present": [pk for pk, present in attendances.items() if present]}
    )
    year, month = previous_month(meeting.year, meeting.month)
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "items": items,
            "n_decided": sum(1 for i in items if i.decision),
            "chair": "decide" in allowed,
            "manage": "attendance" in allowed,
            "attendance_form": attendance_form,
            "attendances": list(meeting.attendances.select_related("deputy").order_by("deputy__code")),
            "report_back": report_back_section(station, year, month),
        },
    )


def _meeting_for_write(request, code, action: str):
    """404 out of scope; 403 (before any form is read) when the lifecycle says this user may not `action`."""
    meeting = access_meeting(request.user, code)
    lifecycle.require(request.user, action, meeting)
    return meeting


@login_required
@require_POST
def meeting_attendance(request, code):
    meeting = _meeting_for_write(request, code, "attendance")
    form = AttendanceForm(request.POST, station=meeting.station)
    if not form.is_valid():
        messages.error(request, "出席人员只能是本站的进站代表")
    else:
        try:
            services.record_attendance(meeting=meeting, present=list(form.cleaned_data["present"]), actor=request.user)
            messages.success(request, "已登记出席情况")
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("meetings-detail", code=meeting.code)


@login_required
@require_POST
def meeting_refresh(request, code):
    meeting = _meeting_for_write(request, code, "refresh")
    try:
        added = services.refresh_agenda(meeting=meeting, actor=request.user)
        messages.success(request, f"新增议题 {added} 项" if added else "没有新登记的社情民意")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("meetings-detail", code=meeting.code)


@login_required
@require_POST
def meeting_decide(request, code, item_id):
    meeting = _meeting_for_write(request, code, "decide")
    item = AgendaItem.objects.filter(meeting=meeting, pk=item_id).select_related("opinion").first()
    if item is None:
        raise Http404
    item.meeting = meeting
    form = DecisionForm(request.POST, station=meeting.station, prefix=f"i{item.pk}")
    if not form.is_valid():
        messages.error(request, f"议题 {item.opinion.code}：请检查填写的内容")
        return redirect("meetings-detail", code=meeting.code)
    data = form.cleaned_data
    duplicate_of = None
    if data["duplicate_code"]:
        duplicate_of = Opinion.objects.filter(
            code=normalise_code(data["duplicate_code"]), station=meeting.station
        ).first()
        if duplicate_of is None:
            messages.error(request, f"议题 {item.opinion.code}：本站没有查询码为 {data['duplicate_code']} 的社情民意")
            return redirect("meetings-detail", code=meeting.code)
    try:
        services.decide_item(
            item=item,
            decision=data["decision"],
            note=data["note"],
            due_date=data["due_date"],
            unit=data["unit"],
            drafting_deputy=data["drafting_deputy"],
            duplicate_of=duplicate_of,
            actor=request.user,
        )
        messages.success(request, f"议题 {item.opinion.code}：{item.get_decision_display()}")
    except DomainError as exc:
        messages.error(request, f"议题 {item.opinion.code}：{exc.message}")
    return redirect(reverse("meetings-detail", args=[meeting.code]) + f"#item-{item.pk}")


@login_required
@require_POST
def meeting_close(request, code):
    meeting = _meeting_for_write(request, code, "close")
    try:
        services.close_meeting(meeting=meeting, actor=request.user)
        messages.success(request, "会商已结束，会议纪要已生成")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("meetings-detail", code=meeting.code)


@login_required
def meeting_minutes(request, code):
    meeting = access_meeting(request.user, code)
    if meeting.minutes:
        handle = meeting.minutes.open("rb")
    else:  # still open (a draft), or a demo meeting without a stored file: built from the rows
        handle = ContentFile(build_minutes(meeting))
    draft = "（草稿）" if meeting.state == Meeting.State.OPEN else ""
    filename = f"{meeting.station.name}{meeting.year}年{meeting.month}月会商纪要{draft}.docx"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
