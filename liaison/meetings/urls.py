from django.urls import path

from . import views

urlpatterns = [
    path("meetings/", views.meetings, name="meetings-list"),
    path("meetings/open/<str:station_code>/", views.meeting_open, name="meetings-open"),
    path("meetings/<str:code>/", views.meeting_detail, name="meetings-detail"),
    path("meetings/<str:code>/attendance/", views.meeting_attendance, name="meetings-attendance"),
    path("meetings/<str:code>/refresh/", views.meeting_refresh, name="meetings-refresh"),
    path("meetings/<str:code>/items/<int:item_id>/decide/", views.meeting_decide, name="meetings-decide"),
    path("meetings/<str:code>/close/", views.meeting_close, name="meetings-close"),
    path("meetings/<str:code>/minutes.docx", views.meeting_minutes, name="meetings-minutes"),
]
