"""The notification centre: the list, mark one read, mark all read. Thin views (selectors read, services write)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import services
from .selectors import notifications_of

PAGE_SIZE = 30


@login_required
def notification_list(request):
    page = Paginator(notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notify/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    n = get_object_or_404(notifications_of(request.user), pk=pk)
    services.mark_read(request.user, ids=[n.pk])
    return redirect(_back(request))


@login_required
@require_POST
def notification_read_all(request):
    services.mark_read(request.user)
    return redirect(_back(request))


def _back(request) -> str:
    page = request.POST.get("page", "")
    return f"/notifications/?page={page}" if page.isdigit() else "/notifications/"
