"""The items each figure counts (the drill-down): source querysets per metric, scoped by the filters."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from liaison.meetings.models import AgendaItem
from liaison.opinions.models import Opinion
from liaison.suggestions.lifecycles import assignment as assignment_lifecycle
from liaison.suggestions.models import Assignment, Suggestion

from .periods import Filters


def opinions_in(filters: Filters) -> QuerySet[Opinion]:
    start, end = filters.period.bounds()
    qs = Opinion.objects.filter(created_at__gte=start, created_at__lt=end)
    if filters.deputy is not None:
        qs = qs.filter(deputy=filters.deputy)
    if filters.station is not None:
        qs = qs.filter(station=filters.station)
    elif filters.region is not None:
        qs = qs.filter(station__region__path__startswith=filters.region.path)
    if filters.category_id:
        qs = qs.filter(category_id=filters.category_id)
    return qs


def suggestions_in(filters: Filters) -> QuerySet[Suggestion]:
    start, end = filters.period.bounds()
    qs = Suggestion.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    if filters.deputy is not None:
        qs = qs.filter(lead_deputy=filters.deputy)
    if filters.station is not None:
        qs = qs.filter(station=filters.station)
    elif filters.region is not None:
        qs = qs.filter(region__path__startswith=filters.region.path)
    if filters.category_id:
        qs = qs.filter(category_id=filters.category_id)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.body_id:
        qs = qs.filter(body_id=filters.body_id)
    return qs


def decisions_in(filters: Filters) -> QuerySet[AgendaItem]:
    qs = AgendaItem.objects.exclude(decision="")
    p = filters.period
    qs = qs.filter(
        Q(meeting__year__gt=p.start.year) | Q(meeting__year=p.start.year, meeting__month__gte=p.start.month)
    ).filter(Q(meeting__year__lt=p.end.year) | Q(meeting__year=p.end.year, meeting__month__lt=p.end.month))
    if filters.deputy is not None:
        qs = qs.filter(opinion__deputy=filters.deputy)
    if filters.station is not None:
        qs = qs.filter(meeting__station=filters.station)
    elif filters.region is not None:
        qs = qs.filter(meeting__station__region__path__startswith=filters.region.path)
    if filters.category_id:
        qs = qs.filter(opinion__category_id=filters.category_id)
    return qs


def overdue_assignments(filters: Filters, today: dt.date | None = None) -> QuerySet[Assignment]:
    today = today or timezone.localdate()
    qs = Assignment.objects.filter(state__in=assignment_lifecycle.OPEN, due_date__lt=today)
    s = "suggestion__"
    if filters.deputy is not None:
        qs = qs.filter(suggestion__lead_deputy=filters.deputy)
    if filters.station is not None:
        qs = qs.filter(suggestion__station=filters.station)
    elif filters.region is not None:
        qs = qs.filter(suggestion__region__path__startswith=filters.region.path)
    if filters.category_id:
        qs = qs.filter(**{s + "category_id": filters.category_id})
    if filters.level:
        qs = qs.filter(**{s + "level": filters.level})
    if filters.body_id:
        qs = qs.filter(**{s + "body_id": filters.body_id})
    return qs


def overdue_suggestions(filters: Filters) -> QuerySet[Suggestion]:
    ids = overdue_assignments(filters).values("suggestion_id")
    return Suggestion.objects.filter(pk__in=ids)
