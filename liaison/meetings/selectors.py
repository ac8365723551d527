"""Reads of meetings, scoped through the stations the user may see."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from liaison.lib import months
from liaison.opinions.models import Opinion
from liaison.org.selectors import stations_visible_to

from .models import AgendaItem, Meeting


def meetings_visible_to(user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(station__in=stations_visible_to(user).values("pk"))


def access_meeting(user, code: str) -> Meeting:
    meeting = meetings_visible_to(user).select_related("station__region").filter(code=code).first()
    if meeting is None:
        raise Http404("会商不存在或不在您的权限范围内")
    return meeting


def meeting_list(user) -> QuerySet[Meeting]:
    return (
        meetings_visible_to(user)
        .select_related("station")
        .annotate(n_items=Count("items"), n_decided=Count("items", filter=~Q(items__decision="")))
        .order_by("-year", "-month", "station__code")
    )


previous_month = months.previous_month


def report_back_section(station, year: int, month: int) -> dict:
    """Last month's suggestions (from the suggestion loop) and the progress of last month's decisions."""
    from liaison.suggestions.selectors import suggestions_for_report_back

    decided = AgendaItem.objects.filter(meeting__station=station, meeting__year=year, meeting__month=month).exclude(
        decision=""
    )
    opinions = list(
        Opinion.objects.filter(pk__in=decided.values("opinion_id")).select_related("category").order_by("code")
    )
    return {
        "year": year,
        "month": month,
        "suggestions": list(suggestions_for_report_back(station, year, month)),
        "opinions": opinions,
    }
