"""The public list of closed, publishable suggestions of a region, with phone and ID numbers redacted."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from liaison.lib.masking import redact
from liaison.org.models import Region

from ..models import (
    Answer,
    Suggestion,
)
from .common import page_of


def public_list(request, region):
    region = get_object_or_404(Region, code=region)
    qs = (
        Suggestion.objects.filter(Suggestion.published_q(), region__path__startswith=region.path)
        .select_related("category", "body")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by("-round", "-created_at")))
        .order_by("-closed_at", "-id")
    )
    page = page_of(request, qs)
    for s in page:
        latest = s.answers.all()[:1]
        s.public_answer = latest[0] if latest else None
        s.public_answer_text = redact(s.public_answer.text) if s.public_answer else ""
        s.public_proposals = redact(s.proposals)
    return render(request, "suggestions/public.html", {"region": region, "page": page, "total": page.paginator.count})
