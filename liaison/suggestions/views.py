"""Suggestion pages. Thin: scope from selectors, writes through services, DomainError → messages.error."""

import re
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liaison.events.services import timeline
from liaison.lib.errors import DomainError
from liaison.lib.masking import mask_name, mask_phone
from liaison.lib.workdays import WorkCalendar
from liaison.org.models import Body, Deputy, HandlingUnit, Region, Role, User
from liaison.org.selectors import can_see_contacts, path_q, scope_of

from . import docx as docx_form
from . import forms, services, supervision
from .models import (
    OPEN_STATES,
    Answer,
    Assignment,
    Commitment,
    CoSigner,
    ExtensionRequest,
    State,
    Suggestion,
)
from .selectors import (
    access_assignment,
    access_suggestion,
    assignments_visible_to,
    can_manage,
    can_supervise,
    is_lead_deputy,
    is_unit_of,
    is_unit_only,
    shows_identity,
    signing_deputy_ids,
    similar_suggestions,
    suggestions_visible_to,
)

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _fail(request, exc: DomainError):
    messages.error(request, exc.message)


def _back(suggestion):
    return redirect("suggestions:detail", suggestion.code)


def _deputy(user) -> Deputy:
    scope = scope_of(user)
    if not scope.deputy_id:
        raise PermissionDenied("只有人大代表可以起草建议")
    return Deputy.objects.select_related("home_region").get(pk=scope.deputy_id)


# --- lists ---------------------------------------------------------------------------------------------------


@login_required
def suggestion_list(request):
    qs = (
        suggestions_visible_to(request.user)
        .select_related("body", "lead_deputy", "category")
        .defer("cause", "reasons", "proposals", "review_note")
    )
    q = request.GET.get("q", "").strip()[:50]
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(code__iexact=q) | Q(case_number__contains=q))
    state = request.GET.get("state", "")
    if state in State.values:
        qs = qs.filter(state=state)
    elif state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    flag = request.GET.get("flag", "")
    if flag in ("yellow", "red"):
        qs = qs.filter(pk__in=Assignment.objects.filter(flag=flag, state__in=Assignment.OPEN).values("suggestion_id"))
    if request.GET.get("key"):
        qs = qs.filter(key_supervised=True)
    mine = request.GET.get("mine", "")
    scope = scope_of(request.user)
    if mine and scope.deputy_id:
        qs = qs.filter(
            Q(lead_deputy_id=scope.deputy_id)
            | Q(pk__in=CoSigner.objects.filter(deputy_id=scope.deputy_id).values("suggestion_id"))
        )
    page = _page(request, qs.order_by("-created_at", "-id"))
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
def review_queue(request):
    scope = scope_of(request.user)
    if not (scope.everything or scope.write_region_paths):
        raise PermissionDenied("只有人大机关工作人员可以审查建议")
    # Start from the user's scope, then keep what their own bodies review (staff write regions).
    mine = suggestions_visible_to(request.user)
    if not scope.everything:
        mine = mine.filter(path_q("body__region__path", scope.write_region_paths))
    qs = mine.filter(state=State.SUBMITTED)
    waiting = list(
        mine.filter(state__in=(State.ACCEPTED, State.RETURNED))
        .select_related("body", "category")
        .order_by("accepted_at", "id")[:100]
    )
    page = _page(request, qs.select_related("body", "lead_deputy", "category").order_by("submitted_at", "id"))
    # 交办时限 from each body's own setting (Body.assign_working_days), counted on the working-day calendar.
    calendar, today = WorkCalendar.load(), services.today()
    for s in waiting:
        s.assign_by = s.assign_overdue = None
        if s.state == State.ACCEPTED and s.accepted_at:
            accepted_on, limit = timezone.localdate(s.accepted_at), s.body.assign_working_days
            s.assign_by = supervision.assign_by(accepted_on, limit, calendar)
            s.assign_overdue = supervision.is_assign_overdue(accepted_on, limit, today, calendar)
    bodies = (
        Body.objects.all()
        if scope.everything
        else Body.objects.filter(path_q("region__path", scope.write_region_paths))
    )
    limits = list(bodies.order_by("region__path").values_list("name", "assign_working_days"))
    return render(
        request,
        "suggestions/review_queue.html",
        {
            "page": page,
            "total": page.paginator.count,
            "waiting": waiting,
            "assign_limits": limits,
            "assign_limit": limits[0][1] if len({n for _, n in limits}) == 1 else None,
        },
    )


@login_required
def extension_queue(request):
    scope = scope_of(request.user)
    if not (scope.everything or scope.write_region_paths):
        raise PermissionDenied("只有人大机关工作人员可以审批延期")
    qs = ExtensionRequest.objects.filter(
        state="pending", assignment__suggestion__in=suggestions_visible_to(request.user)
    ).select_related("assignment__unit", "assignment__suggestion")
    if not scope.everything:
        qs = qs.filter(path_q("assignment__suggestion__body__region__path", scope.write_region_paths))
    return render(request, "suggestions/extension_queue.html", {"requests": qs.order_by("created_at")[:200]})


@login_required
def unit_inbox(request):
    scope = scope_of(request.user)
    qs = assignments_visible_to(request.user).select_related("suggestion", "unit", "suggestion__category")
    if scope.unit_ids and not scope.everything:
        qs = qs.filter(unit_id__in=scope.unit_ids)
    tab = request.GET.get("tab", "open")
    if tab == "open":
        qs = qs.filter(state__in=Assignment.OPEN)
    elif tab == "answered":
        qs = qs.filter(state__in=("answered", "closed"))
    elif tab == "returned":
        qs = qs.filter(state="returned")
    page = _page(request, qs.order_by("due_date", "id"))
    calendar, today = WorkCalendar.load(), services.today()
    for a in page:
        a.days_left = calendar.working_days_between(today, a.due_date) if a.is_open else None
    return render(request, "suggestions/inbox.html", {"page": page, "tab": tab, "total": page.paginator.count})


# --- drafting (deputy) ---------------------------------------------------------------------------------------


def _drafting_opinions(deputy):
    from liaison.opinions.models import Opinion

    return list(Opinion.objects.filter(state="to_suggestion", drafting_deputy=deputy).order_by("-created_at")[:100])


@login_required
@require_http_methods(["GET", "POST"])
def draft_create(request):
    deputy = _deputy(request.user)
    opinions = _drafting_opinions(deputy)
    preselect = [c for c in request.GET.get("opinions", "").split(",") if c]
    form = forms.DraftForm(
        request.POST or None, request.FILES or None, deputy=deputy, opinions=opinions, initial={"opinions": preselect}
    )
    if not request.POST and preselect:
        chosen = [o for o in opinions if o.code in preselect]
        if chosen:
            form.initial.update({"title": chosen[0].title, "cause": chosen[0].title, "category": chosen[0].category_id})
            form.initial["reasons"] = "\n".join(o.content for o in chosen)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            suggestion = services.create_draft(
                actor=request.user,
                deputy=deputy,
                title=data["title"],
                cause=data["cause"],
                reasons=data["reasons"],
                proposals=data["proposals"],
                category=data["category"],
                level=data["level"],
                publishable=data["publishable"],
                confidential=data["confidential"],
                opinions=data["opinions"],
                attachment=data.get("attachment"),
            )
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "建议草稿已保存。可以邀请附议，或直接提交。")
            return _back(suggestion)
    return render(request, "suggestions/draft_form.html", {"form": form, "editing": False})


@login_required
@require_http_methods(["GET", "POST"])
def draft_edit(request, code):
    suggestion = access_suggestion(request.user, code)
    if not is_lead_deputy(request.user, suggestion):
        raise PermissionDenied("只有领衔代表可以修改草稿")
    initial = {k: getattr(suggestion, k) for k in services.EDITABLE}
    form = forms.DraftForm(request.POST or None, deputy=suggestion.lead_deputy, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(suggestion=suggestion, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "草稿已修改")
            return _back(suggestion)
    return render(request, "suggestions/draft_form.html", {"form": form, "editing": True, "suggestion": suggestion})


@login_required
@require_GET
def similar(request):
    text = request.GET.get("text", "") or request.GET.get("title", "")
    items = similar_suggestions(request.user, text)
    return render(request, "suggestions/_similar.html", {"items": items})


def _cosign_candidates(suggestion):
    stations = suggestion.lead_deputy.stations.all()
    return (
        Deputy.objects.filter(stations__in=stations, is_active=True)
        .exclude(pk=suggestion.lead_deputy_id)
        .distinct()
        .order_by("code")[:200]
    )


@login_required
@require_POST
def invite(request, code):
    suggestion = access_suggestion(request.user, code)
    form = forms.InviteForm(request.POST, candidates=_cosign_candidates(suggestion))
    if not form.is_valid():
        messages.error(request, "请选择附议代表并填写截止日期")
        return _back(suggestion)
    try:
        services.invite_cosigners(
            suggestion=suggestion,
            actor=request.user,
            deputies=form.cleaned_data["deputies"],
            deadline=form.cleaned_data["deadline"],
        )
        messages.success(request, "已发出附议邀请")
    except DomainError as exc:
        _fail(request, exc)
    return _back(suggestion)


@login_required
@require_POST
def cosign(request, code):
    suggestion = access_suggestion(request.user, code)
    try:
        services.respond_cosign(suggestion=suggestion, actor=request.user, accept=request.POST.get("accept") == "1")
        messages.success(request, "已确认")
    except DomainError as exc:
        _fail(request, exc)
    return _back(suggestion)


@login_required
@require_POST
def submit(request, code):
    suggestion = access_suggestion(request.user, code)
    try:
        services.submit(suggestion=suggestion, actor=request.user)
        messages.success(request, f"建议已提交{suggestion.body.name}")
    except DomainError as exc:
        _fail(request, exc)
    return _back(suggestion)


@login_required
@require_POST
def withdraw(request, code):
    suggestion = access_suggestion(request.user, code)
    try:
        services.withdraw(suggestion=suggestion, actor=request.user, reason=request.POST.get("reason", "")[:500])
        messages.success(request, "建议已撤回")
    except DomainError as exc:
        _fail(request, exc)
    return _back(suggestion)


# --- review and assignment (staff) ---------------------------------------------------------------------------


@login_required
@require_POST
def review(request, code):
    suggestion = access_suggestion(request.user, code)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审查意见")
        return _back(suggestion)
    data = form.cleaned_data
    try:
        if data["decision"] == "accept":
            services.accept(suggestion=suggestion, actor=request.user, note=data["reason"])
            messages.success(request, f"已立案：{suggestion.case_number}")
            return redirect("suggestions:assign", suggestion.code)
        if data["decision"] == "merge":
            key = data["merge_into"].strip()
            into = (
                suggestions_visible_to(request.user)
                .select_related("body")
                .filter(Q(code=key.upper()) | Q(case_number=key))
                .first()
            )
            if into is None:
                raise DomainError("未找到要并入的建议")
            services.merge(suggestion=suggestion, actor=request.user, into=into, reason=data["reason"])
            messages.success(request, "已并案")
        else:
            services.reject(suggestion=suggestion, actor=request.user, reason=data["reason"])
            messages.success(request, "已不予立案，理由已告知代表")
    except DomainError as exc:
        _fail(request, exc)
    return _back(suggestion)


def _assignable_units(suggestion):
    return HandlingUnit.objects.filter(is_active=True, region__path__startswith=suggestion.body.region.path).order_by(
        "kind", "code"
    )


@login_required
@require_http_methods(["GET", "POST"])
def assign(request, code):
    suggestion = access_suggestion(request.user, code)
    if not can_manage(request.user, suggestion):
        raise PermissionDenied("只有受理机关工作人员可以交办")
    proposed = list(services.proposed_units(suggestion)[:10])
    form = forms.AssignForm(request.POST or None, units=_assignable_units(suggestion), proposed=proposed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["mode"] == "split":
                services.assign(suggestion=suggestion, actor=request.user, split=data["split_pairs"], note=data["note"])
            else:
                co = [u for u in data["co"] if u != data["lead"]]
                services.assign(suggestion=suggestion, actor=request.user, lead=data["lead"], co=co, note=data["note"])
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "已交办")
            return _back(suggestion)
    return render(request, "suggestions/assign.html", {"suggestion": suggestion, "form": form, "proposed": proposed})


@login_required
@require_POST
def reassign(request, code, acode):
    suggestion = access_suggestion(request.user, code)
    assignment = get_object_or_404(suggestion.assignments.select_related("unit", "suggestion"), code=acode)
    form = forms.ReassignForm(request.POST, units=_assignable_units(suggestion))
    if not form.is_valid():
        messages.error(request, "请选择承办单位")
        return _back(suggestion)
    try:
        services.reassign(
            assignment=assignment, actor=request.user, unit=form.cleaned_data["unit"], note=form.cleaned_data["note"]
        )
        messages.success(request, "已重新交办")
    except DomainError as exc:
        _fail(request, exc)
    return _back(suggestion)


@login_required
@require_POST
def decide_extension(request, code, pk):
    suggestion = access_suggestion(request.user, code)
    item = get_object_or_404(
        ExtensionRequest.objects.select_related("assignment__unit", "assignment__suggestion"),
        pk=pk,
        assignment__suggestion=suggestion,
    )
    try:
        services.decide_extension(
            request=item,
            actor=request.user,
            approve=request.POST.get("approve") == "1",
            note=request.POST.get("note", "")[:500],
        )
        messages.success(request, "已审批延期申请")
    except DomainError as exc:
        _fail(request, exc)
    return _back(suggestion)


@login_required
@require_POST
def close(request, code):
    suggestion = access_suggestion(request.user, code)
    try:
        services.close(suggestion=suggestion, actor=request.user, note=request.POST.get("note", "")[:500])
        messages.success(request, "建议已办结")
    except DomainError as exc:
        _fail(request, exc)
    return _back(suggestion)


def _leaders(suggestion):
    return User.objects.filter(
        memberships__role=Role.LEADER, memberships__region__path__in=_ancestor_paths(suggestion.body.region.path)
    ).distinct()


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


@login_required
@require_POST
def supervise(request, code):
    suggestion = access_suggestion(request.user, code)
    form = forms.SuperviseForm(request.POST, leaders=_leaders(suggestion))
    if not form.is_valid():
        messages.error(request, "请检查督办信息")
        return _back(suggestion)
    data = form.cleaned_data
    try:
        if data["action"] == "note":
            services.add_supervision_note(suggestion=suggestion, actor=request.user, text=data["note"])
        else:
            services.set_key_supervision(
                suggestion=suggestion,
                actor=request.user,
                key=data["action"] == "key",
                leader=data["leader"],
                note=data["note"],
            )
        messages.success(request, "已记录督办")
    except DomainError as exc:
        _fail(request, exc)
    return _back(suggestion)


@login_required
@require_POST
def remind(request, code, acode):
    suggestion = access_suggestion(request.user, code)
    assignment = get_object_or_404(suggestion.assignments.select_related("unit", "suggestion"), code=acode)
    try:
        services.remind(assignment=assignment, actor=request.user, note=request.POST.get("note", "")[:300])
        messages.success(request, "已催办")
    except DomainError as exc:
        _fail(request, exc)
    return _back(suggestion)


# --- evaluation (deputies) -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request, code):
    suggestion = access_suggestion(request.user, code)
    scope = scope_of(request.user)
    if scope.deputy_id not in signing_deputy_ids(suggestion):
        raise PermissionDenied("只有领衔代表和附议代表可以测评")
    form = forms.EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluate(suggestion=suggestion, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "测评已提交")
            return _back(suggestion)
    answers = suggestion.answers.filter(round=suggestion.round).select_related("assignment__unit")
    return render(request, "suggestions/evaluate.html", {"suggestion": suggestion, "form": form, "answers": answers})


# --- the suggestion page -------------------------------------------------------------------------------------

PRE_SUBMISSION_ACTIONS = {"created", "edited", "cosign_opened", "cosign_invited", "cosign_confirmed", "cosign_declined"}


@login_required
def suggestion_detail(request, code):
    suggestion = access_suggestion(request.user, code)
    user = request.user
    scope = scope_of(user)
    unit_only = is_unit_only(user)
    identity = shows_identity(user, suggestion)
    assignments = list(
        suggestion.assignments.select_related("unit").prefetch_related(
            "consultations", "progress", "extension_requests", "reminders"
        )
    )
    calendar, today = WorkCalendar.load(), services.today()
    for a in assignments:
        a.days_left = calendar.working_days_between(today, a.due_date) if a.is_open else None
    answers = list(
        suggestion.answers.select_related("assignment__unit").prefetch_related(
            Prefetch("commitments", queryset=Commitment.objects.order_by("due_date"))
        )
    )
    events = list(timeline("suggestion", suggestion.code))
    if unit_only:
        events = [e for e in events if e.action not in PRE_SUBMISSION_ACTIONS]
        if not identity:
            deputy_user_ids = set(
                Deputy.objects.filter(pk__in=signing_deputy_ids(suggestion)).values_list("user_id", flat=True)
            )
            for e in events:
                if e.actor_id in deputy_user_ids:
                    e.actor_label = "代表"
    sources = []
    if not unit_only:
        contacts = can_see_contacts(user, suggestion.region.path)
        for src in suggestion.sources.select_related("opinion", "opinion__station"):
            o = src.opinion
            o.resident_label = o.resident_name if contacts else mask_name(o.resident_name)
            sources.append(o)
    my_invitation = (
        suggestion.cosigners.filter(deputy_id=scope.deputy_id, state="invited").first() if scope.deputy_id else None
    )
    signing = signing_deputy_ids(suggestion)
    evaluations = list(suggestion.evaluations.select_related("deputy"))
    has_evaluated = any(e.deputy_id == scope.deputy_id and e.round == suggestion.round for e in evaluations)
    manage = can_manage(user, suggestion)
    context = {
        "suggestion": suggestion,
        "identity": identity,
        "unit_only": unit_only,
        "cosigners": list(suggestion.cosigners.select_related("deputy")) if identity else [],
        "assignments": assignments,
        "answers": answers,
        "evaluations": evaluations if identity else [],
        "events": events,
        "sources": sources,
        "source_count": suggestion.sources.count(),
        "is_lead": is_lead_deputy(user, suggestion),
        "can_manage": manage,
        "can_supervise": can_supervise(user, suggestion),
        "my_invitation": my_invitation,
        "can_evaluate": scope.deputy_id in signing and suggestion.state == State.ANSWERED and not has_evaluated,
        "supervision_notes": list(suggestion.supervision_notes.select_related("created_by")),
        "merged": list(suggestion.merged.only("code", "title")) if not unit_only else [],
        "my_assignments": [a for a in assignments if is_unit_of(user, a)],
    }
    if context["is_lead"] and suggestion.state in (State.DRAFT, State.COSIGNING):
        context["invite_form"] = forms.InviteForm(candidates=_cosign_candidates(suggestion))
    if manage:
        context["review_form"] = forms.ReviewForm()
        context["reassign_form"] = forms.ReassignForm(units=_assignable_units(suggestion))
    if context["can_supervise"]:
        context["supervise_form"] = forms.SuperviseForm(leaders=_leaders(suggestion))
    return render(request, "suggestions/detail.html", context)


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


# --- handling (units) ----------------------------------------------------------------------------------------


@login_required
def assignment_detail(request, code):
    assignment = access_assignment(request.user, code)
    suggestion = assignment.suggestion
    identity = shows_identity(request.user, suggestion)
    calendar = WorkCalendar.load()
    days_left = calendar.working_days_between(services.today(), assignment.due_date) if assignment.is_open else None
    mine = is_unit_of(request.user, assignment)
    siblings = list(suggestion.assignments.exclude(pk=assignment.pk).select_related("unit"))
    co_opinions = []
    if assignment.role == "lead":
        co_opinions = [a.cohandler_opinion for a in siblings if hasattr(a, "cohandler_opinion")]
    context = {
        "a": assignment,
        "suggestion": suggestion,
        "identity": identity,
        "deputy_phone": (
            suggestion.lead_deputy.phone if can_see_contacts(request.user) else mask_phone(suggestion.lead_deputy.phone)
        ),
        "days_left": days_left,
        "mine": mine,
        "siblings": siblings,
        "co_opinions": co_opinions,
        "consultations": assignment.consultations.all(),
        "progress": assignment.progress.all(),
        "answers": assignment.answers.prefetch_related("commitments"),
        "extensions": assignment.extension_requests.all(),
        "reminders": assignment.reminders.all(),
        "open_commitments": Commitment.objects.filter(answer__assignment=assignment).exclude(state="done"),
    }
    if mine:
        context.update(
            consult_form=forms.ConsultationForm(initial={"held_on": services.today()}),
            progress_form=forms.ProgressForm(),
            co_form=forms.CoOpinionForm(),
            extension_form=forms.ExtensionForm(),
            answer_form=forms.AnswerForm(classes=suggestion.body.answer_classes),
            return_form=forms.ReasonForm(),
        )
    return render(request, "suggestions/assignment.html", context)


ACTIONS = {"sign", "return", "consult", "progress", "co-opinion", "extension", "answer", "commitment"}


@login_required
@require_POST
def assignment_action(request, code, action):
    if action not in ACTIONS:
        raise Http404
    assignment = access_assignment(request.user, code, write=True)
    user, post = request.user, request.POST
    try:
        if action == "sign":
            services.sign(assignment=assignment, actor=user)
            messages.success(request, "已签收")
        elif action == "return":
            form = _valid(forms.ReasonForm(post))
            services.return_assignment(assignment=assignment, actor=user, reason=form["reason"])
            messages.success(request, "已退回，等待人大机关重新交办")
        elif action == "consult":
            form = _valid(forms.ConsultationForm(post))
            services.record_consultation(assignment=assignment, actor=user, **form)
            messages.success(request, "已记录面商")
        elif action == "progress":
            services.post_progress(assignment=assignment, actor=user, text=_valid(forms.ProgressForm(post))["text"])
            messages.success(request, "已记录办理进展")
        elif action == "co-opinion":
            form = _valid(forms.CoOpinionForm(post))
            services.send_cohandler_opinion(assignment=assignment, actor=user, text=form["text"])
            messages.success(request, "协办意见已送主办单位")
        elif action == "extension":
            form = _valid(forms.ExtensionForm(post))
            services.request_extension(assignment=assignment, actor=user, **form)
            messages.success(request, "延期申请已提交，等待审批")
        elif action == "answer":
            form = _valid(forms.AnswerForm(post, request.FILES, classes=assignment.suggestion.body.answer_classes))
            services.answer(
                assignment=assignment,
                actor=user,
                answer_class=form["answer_class"],
                text=form["text"],
                signer=form["signer"],
                commitments=services.parse_commitments(form["commitments"]),
                attachment=form.get("attachment"),
            )
            messages.success(request, "已答复")
        elif action == "commitment":
            form = _valid(forms.CommitmentDoneForm(post))
            commitment = get_object_or_404(
                Commitment.objects.select_related("answer__assignment", "suggestion"),
                code=form["commitment"],
                answer__assignment=assignment,
            )
            services.fulfil_commitment(commitment=commitment, actor=user, note=form["note"])
            messages.success(request, "已登记承诺兑现情况")
    except DomainError as exc:
        _fail(request, exc)
    return redirect("suggestions:assignment", assignment.code)


def _valid(form) -> dict:
    if not form.is_valid():
        errors = "；".join(
            f"{form.fields[k].label if k in form.fields else ''}{'：' if k in form.fields else ''}{v[0]}"
            for k, v in form.errors.items()
        )
        raise DomainError(errors or "请检查填写内容")
    return form.cleaned_data


# --- public --------------------------------------------------------------------------------------------------

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def redact(text: str) -> str:
    text = PHONE.sub(lambda m: mask_phone(m.group(0)), text or "")
    return ID_NUMBER.sub("******************", text)


def public_list(request, region):
    region = get_object_or_404(Region, code=region)
    qs = (
        Suggestion.objects.filter(
            state=State.CLOSED, publishable=True, confidential=False, region__path__startswith=region.path
        )
        .select_related("category", "body")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by("-round", "-created_at")))
        .order_by("-closed_at", "-id")
    )
    page = _page(request, qs)
    for s in page:
        latest = s.answers.all()[:1]
        s.public_answer = latest[0] if latest else None
        s.public_answer_text = redact(s.public_answer.text) if s.public_answer else ""
        s.public_proposals = redact(s.proposals)
    return render(request, "suggestions/public.html", {"region": region, "page": page, "total": page.paginator.count})
