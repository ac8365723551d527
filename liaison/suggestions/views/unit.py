"""Handling units: the inbox and one assignment with its steps (sign, return, consult, progress, answer …)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from liaison.lib.errors import DomainError
from liaison.lib.forms import valid_form
from liaison.lib.masking import mask_phone
from liaison.lib.workdays import WorkCalendar
from liaison.org.selectors import can_see_contacts, scope_of
from liaison.suggestions.lifecycles import assignment as assignment_lifecycle
from liaison.suggestions.lifecycles import commitment as commitment_lifecycle

from .. import forms, services
from ..lifecycles.assignment import is_unit_of
from ..models import (
    Assignment,
    Commitment,
)
from ..selectors import (
    access_assignment,
    assignments_visible_to,
    shows_identity,
)
from .common import fail, page_of


@login_required
def unit_inbox(request):
    scope = scope_of(request.user)
    qs = assignments_visible_to(request.user).select_related("suggestion", "unit", "suggestion__category")
    if scope.unit_ids and not scope.everything:
        qs = qs.filter(unit_id__in=scope.unit_ids)
    tab = request.GET.get("tab", "open")
    if tab == "open":
        qs = qs.filter(state__in=assignment_lifecycle.OPEN)
    elif tab == "answered":
        qs = qs.filter(state__in=(Assignment.State.ANSWERED, Assignment.State.CLOSED))
    elif tab == "returned":
        qs = qs.filter(state=Assignment.State.RETURNED)
    page = page_of(request, qs.order_by("due_date", "id"))
    calendar, today = WorkCalendar.load(), services.today()
    for a in page:
        a.days_left = calendar.working_days_between(today, a.due_date) if a.is_open else None
    return render(request, "suggestions/inbox.html", {"page": page, "tab": tab, "total": page.paginator.count})


@login_required
def assignment_detail(request, code):
    assignment = access_assignment(request.user, code)
    suggestion = assignment.suggestion
    identity = shows_identity(request.user, suggestion)
    calendar = WorkCalendar.load()
    days_left = calendar.working_days_between(services.today(), assignment.due_date) if assignment.is_open else None
    mine = is_unit_of(request.user, assignment)
    # cohandler_opinion joined in: the lead unit's page lists every co-handler's opinion without a query each.
    siblings = list(suggestion.assignments.exclude(pk=assignment.pk).select_related("unit", "cohandler_opinion"))
    co_opinions = []
    if assignment.role == Assignment.Role.LEAD:
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
        "actions": assignment_lifecycle.allowed_actions(request.user, assignment),
        "siblings": siblings,
        "co_opinions": co_opinions,
        "consultations": assignment.consultations.all(),
        "progress": assignment.progress.all(),
        "answers": assignment.answers.select_related("reply_scan").prefetch_related("commitments"),
        "extensions": assignment.extension_requests.all(),
        "reminders": assignment.reminders.all(),
        "open_commitments": Commitment.objects.filter(answer__assignment=assignment).filter(
            state__in=commitment_lifecycle.UNFULFILLED
        ),
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
        if "reply_scan" in context["actions"]:
            context["scan_form"] = forms.ReplyScanForm()
    return render(request, "suggestions/assignment.html", context)


ACTIONS = {"sign", "return", "consult", "progress", "co-opinion", "extension", "answer", "commitment", "scan"}


@login_required
@require_POST
def assignment_action(request, code, action):
    if action not in ACTIONS:
        raise Http404
    assignment = access_assignment(request.user, code, write=True)
    user, post = request.user, request.POST
    try:
        if action == "sign":
            services.sign_assignment(assignment=assignment, actor=user)
            messages.success(request, "已签收")
        elif action == "return":
            form = valid_form(forms.ReasonForm(post)).cleaned_data
            services.return_assignment(assignment=assignment, actor=user, reason=form["reason"])
            messages.success(request, "已退回，等待人大机关重新交办")
        elif action == "consult":
            form = valid_form(forms.ConsultationForm(post)).cleaned_data
            services.record_consultation(assignment=assignment, actor=user, **form)
            messages.success(request, "已记录面商")
        elif action == "progress":
            services.post_progress(
                assignment=assignment, actor=user, text=valid_form(forms.ProgressForm(post)).cleaned_data["text"]
            )
            messages.success(request, "已记录办理进展")
        elif action == "co-opinion":
            form = valid_form(forms.CoOpinionForm(post)).cleaned_data
            services.send_cohandler_opinion(assignment=assignment, actor=user, text=form["text"])
            messages.success(request, "协办意见已送主办单位")
        elif action == "extension":
            form = valid_form(forms.ExtensionForm(post)).cleaned_data
            services.request_extension(assignment=assignment, actor=user, **form)
            messages.success(request, "延期申请已提交，等待审批")
        elif action == "answer":
            form = valid_form(
                forms.AnswerForm(post, request.FILES, classes=assignment.suggestion.body.answer_classes)
            ).cleaned_data
            services.answer_assignment(
                assignment=assignment,
                actor=user,
                answer_class=form["answer_class"],
                text=form["text"],
                signer=form["signer"],
                commitments=services.parse_commitments(form["commitments"]),
                attachment=form.get("attachment"),
            )
            messages.success(request, "已答复")
        elif action == "scan":
            assignment_lifecycle.require(user, "reply_scan", assignment)
            form = valid_form(forms.ReplyScanForm(post, request.FILES)).cleaned_data
            answer = get_object_or_404(assignment.answers.select_related("assignment__unit"), pk=form["answer"])
            services.upload_reply_scan(answer=answer, actor=user, scan=form["scan"])
            messages.success(request, "已上传盖章答复函扫描件")
        elif action == "commitment":
            form = valid_form(forms.CommitmentDoneForm(post)).cleaned_data
            commitment = get_object_or_404(
                Commitment.objects.select_related("answer__assignment", "suggestion"),
                code=form["commitment"],
                answer__assignment=assignment,
            )
            services.fulfil_commitment(commitment=commitment, actor=user, note=form["note"])
            messages.success(request, "已登记承诺兑现情况")
    except DomainError as exc:
        fail(request, exc)
    return redirect("suggestions:assignment", assignment.code)
