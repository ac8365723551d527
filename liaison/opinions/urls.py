from django.urls import path

from . import rota_views, views

urlpatterns = [
    # Public, no account: the station's QR page and the resident's status page.
    path("s/<str:station_code>/", views.public_station, name="opinions-public"),
    path("track/", views.track, name="opinions-track"),
    path("track/<str:code>/", views.track_detail, name="opinions-track-detail"),
    path("track/<str:code>/rate/", views.track_rate, name="opinions-track-rate"),
    path("track/<str:code>/photos/<int:pk>/", views.track_photo, name="opinions-track-photo"),
    # Signed-in users.
    path("opinions/", views.ledger, name="opinions-ledger"),
    path("opinions/export.xlsx", views.ledger_export, name="opinions-export"),
    path("opinions/new/", views.opinion_register, name="opinions-register"),
    path("opinions/visits/", views.visit_list, name="opinions-visits"),
    path("opinions/visits/new/", views.visit_new, name="opinions-visit-new"),
    path("opinions/mediations/new/", views.mediation_new, name="opinions-mediation-new"),
    path("opinions/deputies/<str:code>/record/", views.deputy_record, name="opinions-deputy-record"),
    path("opinions/stations/<str:station_code>/poster/", views.poster, name="opinions-poster"),
    path("opinions/stations/<str:station_code>/rota/", rota_views.station_rota, name="opinions-rota"),
    path(
        "opinions/stations/<str:station_code>/rota/<int:pk>/cancel/",
        rota_views.cancel_duty,
        name="opinions-rota-cancel",
    ),
    path("opinions/<str:code>/", views.opinion_detail, name="opinions-detail"),
    path("opinions/<str:code>/photos/<int:pk>/", views.opinion_photo, name="opinions-photo"),
    path("opinions/<str:code>/<str:action>/", views.opinion_action, name="opinions-action"),
]
