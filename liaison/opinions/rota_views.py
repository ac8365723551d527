"""Reception-day rota pages (thin: the rules live in rota.py)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from liaison.lib.errors import DomainError
from liaison.org.models import Deputy
from liaison.org.selectors import access_station, can_write_station

from . import rota
from .models import ReceptionDuty


@login_required
@require_http_methods(["GET", "POST"])
def station_rota(request, station_code):
    station = access_station(request.user, station_code)
    manage = can_write_station(request.user, station)
    if request.method == "POST":
        access_station(request.user, station_code, write=True)
        try:
            date = dt.date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            messages.error(request, "请选择接待日期")
            return redirect("opinions-rota", station_code=station.code)
        deputy = Deputy.objects.filter(code=request.POST.get("deputy", ""), stationings__station=station).first()
        if deputy is None:
            messages.error(request, "请选择进驻本站的代表")
        else:
            try:
                rota.schedule_duty(
                    station=station, date=date, deputy=deputy, actor=request.user, note=request.POST.get("note", "")
                )
                messages.success(request, f"已安排 {deputy.name} 于 {date:%Y-%m-%d} 坐堂接待")
            except DomainError as exc:
                messages.error(request, exc.message)
        return redirect("opinions-rota", station_code=station.code)
    return render(
        request,
        "opinions/rota.html",
        {
            "station": station,
            "days": rota.rota(station),
            "manage": manage,
            "deputies": Deputy.objects.filter(stationings__station=station).order_by("code"),
        },
    )


@login_required
@require_POST
def cancel_duty(request, station_code, pk):
    station = access_station(request.user, station_code, write=True)
    duty = get_object_or_404(ReceptionDuty, pk=pk, station=station)
    try:
        rota.cancel_duty(duty=duty, actor=request.user)
        messages.success(request, "已取消该排班")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("opinions-rota", station_code=station.code)
