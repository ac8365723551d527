"""Likely duplicates of an opinion, shown on its page while it waits for a decision.

Registration (services/intake.py) computes nothing: the candidates are read when the opinion's page is shown,
from the process's similarity index (liaison.insight.services.similar_items), so every channel — the station's
form, the QR page, the offline visits, the API, Open311 — gets them without slowing its write.

Candidates are the opinions of the same township (乡镇/街道) registered in the 90 days before this one (or
since), that the viewer may see (`opinions_visible_to`), best first with their similarity. Merging goes through
the one duplicate service (`services.mark_duplicate`, via the meeting when the opinion is on an open meeting's
agenda), which only merges within one station: a candidate of another station of the township is shown for
information, without the merge button.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from liaison.insight.services import similar_items
from liaison.org.models import Region

from .lifecycle import UNDECIDED
from .models import Opinion
from .selectors import opinions_visible_to

WINDOW_DAYS = 90
MAX_CANDIDATES = 5
# Above the retrieval threshold (0.2): a duplicate shares the concrete problem, not just the topic.
MIN_DUPLICATE_SCORE = 0.3


@dataclass
class Candidate:
    opinion: Opinion
    score: float
    mergeable: bool  # same station: the duplicate service can merge onto it


def township_of(opinion: Opinion) -> Region | None:
    region = opinion.station.region
    return region.ancestor_of_level(Region.Level.TOWNSHIP) or region


def likely_duplicates(user, opinion: Opinion, *, k: int = MAX_CANDIDATES) -> list[Candidate]:
    """The opinions of the same township, last 90 days, that `user` may see and that look like `opinion`."""
    if opinion.state not in UNDECIDED:
        return []
    township = township_of(opinion)
    created = timezone.localtime(opinion.created_at).date() if opinion.created_at else timezone.localdate()
    since = created - dt.timedelta(days=WINDOW_DAYS)
    visible = (
        opinions_visible_to(user)
        .filter(station__region__path__startswith=township.path, created_at__date__gte=since)
        .exclude(pk=opinion.pk)
        .exclude(duplicate_of=opinion)
        .select_related("station")
    )
    hits = similar_items(
        f"{opinion.title}\n{opinion.content}",
        visible={"opinion": visible},
        region_path=township.path,
        days=(timezone.localdate() - since).days,
        k=k,
        min_score=MIN_DUPLICATE_SCORE,
        exclude=(f"O:{opinion.code}",),
        near_path=opinion.station.region.path,
    )
    return [Candidate(h.obj, h.score, h.obj.station_id == opinion.station_id) for h in hits]
