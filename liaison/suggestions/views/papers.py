"""The paper side of the evaluation: each signing deputy's 征求意见表 (.docx) and staff entering a returned one.

Scope first (access_suggestion: out of scope → 404), then who may (lifecycles/evaluation.py: 403)."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from liaison.lib.errors import DomainError
from liaison.org.models import Deputy

from .. import feedback_form, forms, services
from ..lifecycles import evaluation as evaluation_lifecycle
from ..lifecycles.cosignature import signing_deputy_ids
from ..models import EvaluationSource
from ..selectors import access_suggestion
from .common import back_to, fail
from .files import DOCX


def signing_deputies(suggestion):
    ids = signing_deputy_ids(suggestion)
    by_id = Deputy.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


@login_required
@require_GET
def feedback_docx(request, code, deputy):
    suggestion = access_suggestion(request.user, code)
    person = next((d for d in signing_deputies(suggestion) if d.code == deputy), None)
    if person is None or not suggestion.answers.exists():
        raise Http404("没有该代表的征求意见表")
    if not evaluation_lifecycle.may_have_form(request.user, suggestion, person.pk):
        raise PermissionDenied("只有人大机关工作人员和该代表本人可以打印征求意见表")
    response = HttpResponse(feedback_form.render(suggestion, person), content_type=DOCX)
    filename = f"征求意见表-{suggestion.case_number or suggestion.code}-{person.name}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def paper_evaluation(request, code):
    """Staff of the receiving body enter a returned paper form: the same evaluation, marked as paper-sourced."""
    suggestion = access_suggestion(request.user, code)
    evaluation_lifecycle.require_paper_entry(request.user, suggestion)
    deputies = signing_deputies(suggestion)
    done = set(suggestion.evaluations.filter(round=suggestion.round).values_list("deputy_id", flat=True))
    pending = Deputy.objects.filter(pk__in=[d.pk for d in deputies if d.pk not in done]).order_by("code")
    form = forms.PaperEvaluationForm(request.POST or None, deputies=pending)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.evaluate_answer(
                suggestion=suggestion,
                actor=request.user,
                process=data["process"],
                result=data["result"],
                comment=data["comment"],
                deputy=data["deputy"],
                source=EvaluationSource.PAPER,
            )
        except DomainError as exc:
            fail(request, exc)
        else:
            messages.success(request, f"已录入{data['deputy'].name}代表的纸质征求意见表")
            return back_to(suggestion)
    return render(
        request,
        "suggestions/paper_evaluation.html",
        {
            "suggestion": suggestion,
            "form": form,
            "deputies": [(d, d.pk in done) for d in deputies],
            "evaluable": suggestion.state in evaluation_lifecycle.EVALUABLE,
        },
    )
