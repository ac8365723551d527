import datetime as dt

from django.tasks import task


@task
def compute_snapshot(kind: str, region_code: str, start: str, months: int) -> bool:
    """The worker's side of a page that found no snapshot: computes it (liaison.insight.snapshots.refresh)."""
    from liaison.org.models import Region

    from .snapshots import refresh

    region = Region.objects.get(code=region_code)
    return refresh(kind=kind, region=region, start=dt.date.fromisoformat(start), months=months)
