from django.urls import path

from .views import deputy, files, pages, papers, public, staff, unit

app_name = "suggestions"

urlpatterns = [
    path("suggestions/", pages.suggestion_list, name="list"),
    path("suggestions/new/", deputy.draft_create, name="new"),
    path("suggestions/similar/", pages.similar, name="similar"),
    path("suggestions/review/", staff.review_queue, name="review-queue"),
    path("suggestions/extensions/", staff.extension_queue, name="extensions"),
    path("suggestions/<str:code>/", pages.suggestion_detail, name="detail"),
    path("suggestions/<str:code>/edit/", deputy.draft_edit, name="edit"),
    path("suggestions/<str:code>/invite/", deputy.invite, name="invite"),
    path("suggestions/<str:code>/cosign/", deputy.cosign, name="cosign"),
    path("suggestions/<str:code>/submit/", deputy.submit, name="submit"),
    path("suggestions/<str:code>/withdraw/", deputy.withdraw, name="withdraw"),
    path("suggestions/<str:code>/review/", staff.review, name="review"),
    path("suggestions/<str:code>/assign/", staff.assign, name="assign"),
    path("suggestions/<str:code>/reassign/<str:acode>/", staff.reassign, name="reassign"),
    path("suggestions/<str:code>/extension/<int:pk>/", staff.decide_extension, name="decide-extension"),
    path("suggestions/<str:code>/evaluate/", deputy.evaluate, name="evaluate"),
    path("suggestions/<str:code>/evaluate/paper/", papers.paper_evaluation, name="paper-evaluation"),
    path("suggestions/<str:code>/feedback/<str:deputy>.docx", papers.feedback_docx, name="feedback-docx"),
    path("suggestions/<str:code>/close/", staff.close, name="close"),
    path("suggestions/<str:code>/supervise/", staff.supervise, name="supervise"),
    path("suggestions/<str:code>/remind/<str:acode>/", staff.remind, name="remind"),
    path("suggestions/<str:code>/form.docx", pages.form_docx, name="docx"),
    path("suggestions/<str:code>/attachment/", files.suggestion_attachment, name="attachment"),
    path("suggestions/<str:code>/answers/<int:pk>/attachment/", files.answer_attachment, name="answer-attachment"),
    path("suggestions/<str:code>/answers/<int:pk>/letter.docx", files.reply_letter, name="reply-letter"),
    path("suggestions/<str:code>/answers/<int:pk>/scan/", files.reply_scan, name="reply-scan"),
    path("units/inbox/", unit.unit_inbox, name="inbox"),
    path("units/assignments/<str:code>/", unit.assignment_detail, name="assignment"),
    path("units/assignments/<str:code>/<str:action>/", unit.assignment_action, name="assignment-action"),
    path("public/<str:region>/suggestions/", public.public_list, name="public"),
]
