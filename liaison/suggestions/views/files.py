"""Files of a suggestion, to whoever may see it (out of scope → 404): attachments (liaison/lib/uploads.py) and
the generated reply letters (letters.py)."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from liaison.lib.uploads import attachment_response

from .. import letters
from ..selectors import access_suggestion, shows_identity

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _label(suggestion) -> str:
    return suggestion.case_number or suggestion.code


@login_required
@require_GET
def suggestion_attachment(request, code):
    suggestion = access_suggestion(request.user, code)
    # The deputy's own file may name the deputy: where the identity is hidden (confidential, for units), so is it.
    if not suggestion.attachment or not shows_identity(request.user, suggestion):
        raise Http404("该建议没有附件")
    return attachment_response(suggestion.attachment, f"建议附件-{_label(suggestion)}")


@login_required
@require_GET
def answer_attachment(request, code, pk):
    suggestion = access_suggestion(request.user, code)
    answer = suggestion.answers.select_related("assignment__unit").filter(pk=pk).exclude(attachment="").first()
    if answer is None:
        raise Http404("该答复没有附件")
    return attachment_response(
        answer.attachment, f"答复附件-{_label(suggestion)}-{answer.assignment.unit.name}-第{answer.round}轮"
    )


@login_required
@require_GET
def reply_letter(request, code, pk):
    """The 答复函 of one answer, generated (liaison/suggestions/letters.py), for whoever may see the suggestion."""
    suggestion = access_suggestion(request.user, code)
    answer = get_object_or_404(suggestion.answers.select_related("assignment__unit", "created_by"), pk=pk)
    content = letters.render(answer, identity=shows_identity(request.user, suggestion))
    response = HttpResponse(content, content_type=DOCX)
    filename = f"答复函-{_label(suggestion)}-{answer.assignment.unit.name}-第{answer.round}轮.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def reply_scan(request, code, pk):
    """The signed, sealed scan of an answer's 答复函, uploaded by the unit, for whoever may see the suggestion."""
    suggestion = access_suggestion(request.user, code)
    answer = suggestion.answers.select_related("assignment__unit", "reply_scan").filter(pk=pk).first()
    scan = getattr(answer, "reply_scan", None) if answer else None
    if scan is None:
        raise Http404("该答复尚未上传盖章答复函扫描件")
    return attachment_response(
        scan.file, f"答复函盖章件-{_label(suggestion)}-{answer.assignment.unit.name}-第{answer.round}轮"
    )
