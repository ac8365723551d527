"""The pages every role reaches: the scoped list, one suggestion with what the viewer may do, its .docx."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from liaison.lib.masking import mask_name
from liaison.lib.search import search_q
from liaison.lib.workdays import WorkCalendar
from liaison.org.selectors import scope_of

from .. import docx as docx_form
from .. import forms, services
from ..lifecycles import assignment as assignment_lifecycle
from ..lifecycles import cosignature
from ..lifecycles import evaluation as evaluation_lifecycle
from ..lifecycles import suggestion as suggestion_lifecycle
from ..lifecycles.assignment import is_unit_of
from ..models import (
    Assignment,
    Commitment,
    CoSigner,
    State,
    Suggestion,
)
from ..selectors import (
    access_suggestion,
    is_unit_only,
    leaders_for,
    shows_identity,
    similar_suggestions,
    suggestion_timeline,
    suggestions_visible_to,
    units_assignable_for,
)
from .common import page_of


@login_required
def suggestion_list(request):
    qs = (
        suggestions_visible_to(request.user)
        .select_related("body", "lead_deputy", "category")
        .defer("cause", "reasons", "proposals", "review_note")
    )
    q = request.GET.get("q", "").strip()[:50]
    if q:
        # Title or case number contains q (the bigram index, liaison/lib/search.py), or the exact code.
        qs = qs.filter(search_q(Suggestion, q, or_q=Q(code=q.upper())))
    state = request.GET.get("state", "")
    if state in State.values:
        qs = qs.filter(state=state)
    elif state == "open":
        qs = qs.filter(state__in=suggestion_lifecycle.OPEN_STATES)
    flag = request.GET.get("flag", "")
    if flag in ("yellow", "red"):
        qs = qs.filter(
            pk__in=Assignment.objects.filter(flag=flag, state__in=assignment_lifecycle.OPEN).values("suggestion_id")
        )
    if request.GET.get("key"):
        qs = qs.filter(key_supervised=True)
    mine = request.GET.get("mine", "")
    scope = scope_of(request.user)
    if mine and scope.deputy_id:
        qs = qs.filter(
            Q(lead_deputy_id=scope.deputy_id)
            | Q(pk__in=CoSigner.objects.filter(deputy_id=scope.deputy_id).values("suggestion_id"))
        )
    page = page_of(request, qs.order_by("-created_at", "-id"))
    hide = is_unit_only(request.user)
    for s in page:
        s.deputy_label = "（保密）" if (hide and s.confidential) else s.lead_deputy.name
    return render(
        request,
        "suggestions/list.html",
        {
            "page": page,
            "q": q,
            "state": state,
            "flag": flag,
            "states": State.choices,
            "total": page.paginator.count,
            "is_deputy": bool(scope.deputy_id),
        },
    )


@login_required
def suggestion_detail(request, code):
    suggestion = access_suggestion(request.user, code)
    user = request.user
    scope = scope_of(user)
    unit_only = is_unit_only(user)
    identity = shows_identity(user, suggestion)
    assignments = list(
        suggestion.assignments.select_related("unit", "suggestion").prefetch_related(
            "consultations", "progress", "extension_requests", "reminders"
        )
    )
    calendar, today = WorkCalendar.load(), services.today()
    for a in assignments:
        a.suggestion = suggestion  # already has its body and region: no query per assignment for who-may
        a.days_left = calendar.working_days_between(today, a.due_date) if a.is_open else None
        a.actions = assignment_lifecycle.allowed_actions(user, a)
    answers = list(
        suggestion.answers.select_related("assignment__unit", "reply_scan").prefetch_related(
            Prefetch("commitments", queryset=Commitment.objects.order_by("due_date"))
        )
    )
    sources = []
    if not unit_only:
        # Masked for everyone: whoever needs the resident's name asks for it on the opinion's page, where the
        # request is logged (liaison/opinions/services/privacy.py).
        for src in suggestion.sources.select_related("opinion", "opinion__station"):
            o = src.opinion
            o.resident_label = mask_name(o.resident_name)
            sources.append(o)
    my_invitation = (
        suggestion.cosigners.filter(deputy_id=scope.deputy_id, state__in=cosignature.PENDING).first()
        if scope.deputy_id
        else None
    )
    evaluations = list(suggestion.evaluations.select_related("deputy"))
    has_evaluated = any(e.deputy_id == scope.deputy_id and e.round == suggestion.round for e in evaluations)
    actions = suggestion_lifecycle.allowed_actions(user, suggestion)
    context = {
        "suggestion": suggestion,
        "identity": identity,
        "unit_only": unit_only,
        "cosigners": list(suggestion.cosigners.select_related("deputy")) if identity else [],
        "assignments": assignments,
        "answers": answers,
        "evaluations": evaluations if identity else [],
        "events": suggestion_timeline(user, suggestion),
        "sources": sources,
        "source_count": suggestion.sources.count(),
        "actions": actions,
        "my_invitation": my_invitation,
        "can_evaluate": evaluation_lifecycle.may_evaluate(user, suggestion) and not has_evaluated,
        "supervision_notes": list(suggestion.supervision_notes.select_related("created_by")),
        "merged": list(suggestion.merged.only("code", "title")) if not unit_only else [],
        "my_assignments": [a for a in assignments if is_unit_of(user, a)],
        "can_enter_paper": evaluation_lifecycle.may_enter_paper(user, suggestion),
        "feedback_forms": _feedback_forms(user, suggestion) if answers and identity else [],
    }
    if "invite_cosigners" in actions:
        context["invite_form"] = forms.InviteForm(candidates=cosignature.invitable_deputies(suggestion)[:200])
    if "accept" in actions:
        context["review_form"] = forms.ReviewForm()
    if any("reassign" in a.actions for a in assignments):
        context["reassign_form"] = forms.ReassignForm(units=units_assignable_for(suggestion))
    if "supervision_note" in actions:
        context["supervise_form"] = forms.SuperviseForm(leaders=leaders_for(suggestion))
    return render(request, "suggestions/detail.html", context)


def _feedback_forms(user, suggestion):
    """The signing deputies whose paper 征求意见表 the viewer may print (staff: each; a deputy: their own)."""
    from .papers import signing_deputies

    return [d for d in signing_deputies(suggestion) if evaluation_lifecycle.may_have_form(user, suggestion, d.pk)]


@login_required
def form_docx(request, code):
    suggestion = access_suggestion(request.user, code)
    content = docx_form.render(suggestion, identity=shows_identity(request.user, suggestion))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    filename = f"代表建议纸-{suggestion.case_number or suggestion.code}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_GET
def similar(request):
    text = request.GET.get("text", "") or request.GET.get("title", "")
    items = similar_suggestions(request.user, text)
    return render(request, "suggestions/_similar.html", {"items": items})
