from django.urls import path

from . import views  # noqa

app_name = "suggestions"

urlpatterns = [
    path("suggestions/", views.suggestion_list, name="list"),
    path("suggestions/new/", views.draft_create, name="new"),
    path("suggestions/similar/", views.similar, name="similar"),
    path("suggestions/review/", views.review_queue, name="review-queue"),
    path("suggestions/extensions/", views.extension_queue, name="extensions"),
    path("suggestions/<str:code>/", views.suggestion_detail, name="detail"),
    path("suggestions/<str:code>/edit/", views.draft_edit, name="edit"),
    path("suggestions/<str:code>/invite/", views.invite, name="invite"),
    path("suggestions/<str:code>/cosign/", views.cosign, name="cosign"),
    path("suggestions/<str:code>/submit/", views.submit, name="submit"),
    path("suggestions/<str:code>/withdraw/", views.withdraw, name="withdraw"),
    path("suggestions/<str:code>/review/", views.review, name="review"),
    path("suggestions/<str:code>/assign/", views.assign, name="assign"),
    path("suggestions/<str:code>/reassign/<str:acode>/", views.reassign, name="reassign"),
    path("suggestions/<str:code>/extension/<int:pk>/", views.decide_extension, name="decide-extension"),
    path("suggestions/<str:code>/evaluate/", views.evaluate, name="evaluate"),
    path("suggestions/<str:code>/close/", views.close, name="close"),
    path("suggestions/<str:code>/supervise/", views.supervise, name="supervise"),
    path("suggestions/<str:code>/remind/<str:acode>/", views.remind, name="remind"),
    path("suggestions/<str:code>/form.docx", views.form_docx, name="docx"),
    path("units/inbox/", views.unit_inbox, name="inbox"),
    path("units/assignments/<str:code>/", views.assignment_detail, name="assignment"),
    path("units/assignments/<str:code>/<str:action>/", views.assignment_action, name="assignment-action"),
    path("public/<str:region>/suggestions/", views.public_list, name="public"),
]
