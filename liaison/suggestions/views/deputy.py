"""The deputies' pages: drafting, co-signing, submitting, withdrawing, evaluating the answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from liaison.lib.errors import DomainError
from liaison.org.models import Deputy
from liaison.org.selectors import scope_of

from .. import forms, services
from ..lifecycles import cosignature
from ..lifecycles import evaluation as evaluation_lifecycle
from ..lifecycles import suggestion as suggestion_lifecycle
from ..selectors import (
    access_suggestion,
)
from .common import back_to, fail


def _deputy(user) -> Deputy:
    scope = scope_of(user)
    if not scope.deputy_id:
        raise PermissionDenied("只有人大代表可以起草建议")
    return Deputy.objects.select_related("home_region").get(pk=scope.deputy_id)


def _drafting_opinions(deputy):
    from liaison.opinions.models import Opinion

    return list(
        Opinion.objects.filter(state=Opinion.State.TO_SUGGESTION, drafting_deputy=deputy).order_by("-created_at")[:100]
    )


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
            fail(request, exc)
        else:
            messages.success(request, "建议草稿已保存。可以邀请附议，或直接提交。")
            return back_to(suggestion)
    return render(request, "suggestions/draft_form.html", {"form": form, "editing": False})


@login_required
@require_http_methods(["GET", "POST"])
def draft_edit(request, code):
    suggestion = access_suggestion(request.user, code)
    suggestion_lifecycle.require(request.user, "edit", suggestion)
    initial = {k: getattr(suggestion, k) for k in services.EDITABLE}
    form = forms.DraftForm(request.POST or None, deputy=suggestion.lead_deputy, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(suggestion=suggestion, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            fail(request, exc)
        else:
            messages.success(request, "草稿已修改")
            return back_to(suggestion)
    return render(request, "suggestions/draft_form.html", {"form": form, "editing": True, "suggestion": suggestion})


@login_required
@require_POST
def invite(request, code):
    suggestion = access_suggestion(request.user, code)
    form = forms.InviteForm(request.POST, candidates=cosignature.invitable_deputies(suggestion)[:200])
    if not form.is_valid():
        messages.error(request, "请选择附议代表并填写截止日期")
        return back_to(suggestion)
    try:
        services.invite_cosigners(
            suggestion=suggestion,
            actor=request.user,
            deputies=form.cleaned_data["deputies"],
            deadline=form.cleaned_data["deadline"],
        )
        messages.success(request, "已发出附议邀请")
    except DomainError as exc:
        fail(request, exc)
    return back_to(suggestion)


@login_required
@require_POST
def cosign(request, code):
    suggestion = access_suggestion(request.user, code)
    try:
        services.respond_cosign(suggestion=suggestion, actor=request.user, accept=request.POST.get("accept") == "1")
        messages.success(request, "已确认")
    except DomainError as exc:
        fail(request, exc)
    return back_to(suggestion)


@login_required
@require_POST
def submit(request, code):
    suggestion = access_suggestion(request.user, code)
    try:
        services.submit_suggestion(suggestion=suggestion, actor=request.user)
        messages.success(request, f"建议已提交{suggestion.body.name}")
    except DomainError as exc:
        fail(request, exc)
    return back_to(suggestion)


@login_required
@require_POST
def withdraw(request, code):
    suggestion = access_suggestion(request.user, code)
    try:
        services.withdraw_suggestion(
            suggestion=suggestion, actor=request.user, reason=request.POST.get("reason", "")[:500]
        )
        messages.success(request, "建议已撤回")
    except DomainError as exc:
        fail(request, exc)
    return back_to(suggestion)


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request, code):
    suggestion = access_suggestion(request.user, code)
    evaluation_lifecycle.require_signing_deputy(request.user, suggestion)
    form = forms.EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluate_answer(suggestion=suggestion, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            fail(request, exc)
        else:
            messages.success(request, "测评已提交")
            return back_to(suggestion)
    answers = suggestion.answers.filter(round=suggestion.round).select_related("assignment__unit")
    return render(request, "suggestions/evaluate.html", {"suggestion": suggestion, "form": form, "answers": answers})
