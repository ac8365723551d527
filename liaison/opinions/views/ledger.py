"""The ledger (民情台账) and its export; one opinion's page (its resident's contacts masked until a reasoned,
logged request), photos and actions."""

from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from liaison.events.services import timeline
from liaison.exports.services import request_export
from liaison.lib.errors import DomainError
from liaison.lib.forms import valid_form
from liaison.lib.xlsx import xlsx_response
from liaison.meetings import services as meeting_services
from liaison.meetings.models import AgendaItem, Meeting
from liaison.org.models import Category
from liaison.org.selectors import can_see_contacts, scope_of, stations_visible_to
from liaison.security.services import client_address

from .. import lifecycle, services
from ..duplicates import likely_duplicates
from ..exports import ledger_sheet
from ..forms import AnswerForm, OutcomeForm, RefuseForm, ReportBackForm, RevealForm
from ..models import Opinion
from ..selectors import access_opinion, ledger_page, ledger_queryset, opinions_visible_to, sees_contacts
from .common import PAGE_SIZE, _photo_response, _suggestions_for


@login_required
def ledger(request):
    if not _has_ledger(request.user):
        raise Http404("没有可查看的民情台账")
    qs, filters = ledger_queryset(request.user, request.GET)
    # Residents' names and phones are masked on the list for everyone; who needs one opens the opinion and asks
    # for it with a reason (opinion_contacts), which is logged.
    page = ledger_page(qs, request.GET.get("page"), PAGE_SIZE)
    stations = stations_visible_to(request.user)
    station_choices = list(stations.order_by("code").values_list("code", "name")[:301])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "total": page.paginator.count,
        "f": filters,
        "states": Opinion.State.choices,
        "channels": Opinion.Channel.choices,
        "categories": Category.objects.filter(parent=None).order_by("sort", "id"),
        "station_choices": station_choices if len(station_choices) <= 300 else None,
        "query": query.urlencode(),
        "can_register": bool(scope_of(request.user).write_station_ids) or scope_of(request.user).everything,
    }
    return render(request, "opinions/ledger.html", context)


def _has_ledger(user) -> bool:
    scope = scope_of(user)
    return scope.everything or bool(scope.region_paths or scope.station_ids or scope.deputy_id)


@login_required
def ledger_export(request):
    """民情台账.xlsx: streamed while its rows are read; over EXPORT_SYNC_MAX_ROWS rows, a background job whose
    page shows its progress and then the file (liaison/exports). Both write opinions.exports.ledger_sheet()."""
    if not _has_ledger(request.user):
        raise Http404
    user = request.user
    sheet = ledger_sheet(user, request.GET)
    job = None
    if sheet.total > settings.EXPORT_SYNC_MAX_ROWS:
        try:
            job = request_export(
                actor=user, kind="ledger", params=request.GET.dict(), filename=sheet.filename, total=sheet.total
            )
        except DomainError as exc:  # more rows than a sheet holds: nothing exported
            messages.error(request, exc.message)
            return redirect(f"{reverse('opinions-ledger')}?{request.GET.urlencode()}")
    if can_see_contacts(user):  # some rows will carry contacts unmasked: log the export
        query = unquote_plus(request.GET.urlencode())  # readable filters in the log: q=路灯&station=…
        services.log_ledger_export(actor=user, query=query, address=client_address(request))
    if job is not None:
        messages.info(request, f"共 {sheet.total} 条，数据较多，已转为后台生成，完成后在本页下载")
        return redirect("exports-job", code=job.code)
    return xlsx_response(sheet.filename, sheet.title, sheet.headers, sheet.rows())


# ---------------------------------------------------------------- one opinion


@login_required
def opinion_detail(request, code):
    return _detail(request, access_opinion(request.user, code))


@never_cache
@login_required
@require_POST
def opinion_contacts(request, code):
    """查看完整联系方式: the same page with the resident's contacts unmasked, for this response only, once the
    reason is logged. Out of scope answers 404 (access_opinion), visible but not theirs to see 403 (the service)."""
    opinion = access_opinion(request.user, code)
    try:
        services.reveal_resident_contacts(
            opinion=opinion,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            address=client_address(request),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("opinions-detail", code=opinion.code)
    return _detail(request, opinion, revealed=True)


def _detail(request, opinion, *, revealed=False):
    user = request.user
    allowed = lifecycle.allowed_actions(user, opinion)
    offered = {"answer": AnswerForm, "refuse": RefuseForm, "outcome": OutcomeForm, "reportback": ReportBackForm}
    has_contacts = bool(opinion.resident_name or opinion.resident_phone)
    return render(
        request,
        "opinions/detail.html",
        {
            "opinion": opinion,
            "show_contacts": revealed,
            "reveal_form": RevealForm()
            if has_contacts and not revealed and sees_contacts(user, opinion.station, opinion)
            else None,
            "photos": list(opinion.photos.all()),
            "events": timeline("opinion", opinion.code),
            "reportbacks": list(opinion.reportbacks.select_related("deputy")),
            "agenda_items": list(opinion.agenda_items.select_related("meeting")),
            "duplicates": list(opinion.duplicates.only("code", "title")),
            "candidates": likely_duplicates(user, opinion),
            "can_merge": "mark_duplicate" in allowed,
            "suggestions": _suggestions_for(opinion),
            "forms": {name: form() for name, form in offered.items() if name in allowed},
            "can_close": "close" in allowed,
        },
    )


@login_required
def opinion_photo(request, code, pk):
    return _photo_response(access_opinion(request.user, code), pk)


@login_required
@require_POST
def opinion_action(request, code, action):
    opinion = access_opinion(request.user, code)
    user = request.user
    if action not in lifecycle.ACTIONS:
        raise Http404
    lifecycle.require(user, action, opinion)  # before the form: a wrong role gets 403, not a form error
    try:
        if action == "answer":
            form = valid_form(AnswerForm(request.POST))
            services.answer_on_spot(
                opinion=opinion, answer=form.cleaned_data["answer"], told_now=form.cleaned_data["told_now"], actor=user
            )
            messages.success(request, "已登记当场答复")
        elif action == "refuse":
            form = valid_form(RefuseForm(request.POST))
            services.refuse_opinion(opinion=opinion, actor=user, **form.cleaned_data)
            messages.success(request, "已登记不予受理及理由")
        elif action == "outcome":
            form = valid_form(OutcomeForm(request.POST))
            services.record_outcome(opinion=opinion, text=form.cleaned_data["text"], actor=user)
            messages.success(request, "已登记办理结果，请代表或联络员回访群众")
        elif action == "reportback":
            form = valid_form(ReportBackForm(request.POST))
            services.record_report_back(opinion=opinion, actor=user, **form.cleaned_data)
            messages.success(request, "已登记回访")
        elif action == "close":
            services.close_opinion(opinion=opinion, actor=user)
            messages.success(request, "已关闭")
        elif action == "mark_duplicate":
            _merge_duplicate(opinion, request.POST.get("original", ""), user)
            messages.success(request, "已作为重复事项合并")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("opinions-detail", code=opinion.code)


def _merge_duplicate(opinion, original_code: str, user) -> None:
    """合并为重复事项 from the opinion's page (its likely duplicates): the original must be one the user may see at
    the same station. On an open meeting's agenda the meeting records the decision (as the API does, see
    liaison/api/opinion_writes.py `_decide`); otherwise the opinion's own duplicate service runs."""
    original = opinions_visible_to(user).filter(code=original_code.strip(), station_id=opinion.station_id).first()
    if original is None:
        raise DomainError("本站没有这个查询码的社情民意")
    item = (
        AgendaItem.objects.filter(opinion=opinion, decision="", meeting__state=Meeting.State.OPEN)
        .select_related("meeting__station__region")
        .first()
    )
    if item is not None:
        item.opinion = opinion
        meeting_services.decide_item(
            item=item, decision=AgendaItem.Decision.DUPLICATE, actor=user, duplicate_of=original
        )
    else:
        services.mark_duplicate(opinion=opinion, original=original, actor=user)
