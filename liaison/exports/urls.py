from django.urls import path

from . import views

urlpatterns = [
    path("exports/", views.export_list, name="exports-list"),
    path("exports/<str:code>/", views.export_job, name="exports-job"),
    path("exports/<str:code>/progress/", views.export_progress, name="exports-progress"),
    path("exports/<str:code>/download/", views.export_download, name="exports-download"),
]
