from django.urls import path

from . import rota_views
from .views import ledger, offline, public, records

urlpatterns = [
    # Public, no account: the station's QR page and the resident's status page.
    path("s/<str:station_code>/", public.public_station, name="opinions-public"),
    path("track/", public.track, name="opinions-track"),
    path("track/<str:code>/", public.track_detail, name="opinions-track-detail"),
    path("track/<str:code>/rate/", public.track_rate, name="opinions-track-rate"),
    path("track/<str:code>/photos/<int:pk>/", public.track_photo, name="opinions-track-photo"),
    path("track/<str:code>/sms/", public.track_sms, name="opinions-track-sms"),
    path("t/<str:token>/", public.track_link, name="opinions-track-link"),
    # Signed-in users.
    path("opinions/", ledger.ledger, name="opinions-ledger"),
    path("opinions/export.xlsx", ledger.ledger_export, name="opinions-export"),
    path("opinions/new/", records.opinion_register, name="opinions-register"),
    path("opinions/visits/", records.visit_list, name="opinions-visits"),
    path("opinions/visits/new/", records.visit_new, name="opinions-visit-new"),
    # The offline visit form (views/offline.py): the service worker, the manifest, the cached pick lists.
    path("opinions/visits/sw.js", offline.service_worker, name="opinions-visits-sw"),
    path("opinions/visits/manifest.webmanifest", offline.manifest, name="opinions-visits-manifest"),
    path("opinions/visits/lists.json", offline.visit_lists, name="opinions-visit-lists"),
    path("opinions/mediations/new/", records.mediation_new, name="opinions-mediation-new"),
    path("opinions/deputies/<str:code>/record/", records.deputy_record, name="opinions-deputy-record"),
    path("opinions/stations/<str:station_code>/poster/", public.poster, name="opinions-poster"),
    path("opinions/stations/<str:station_code>/rota/", rota_views.station_rota, name="opinions-rota"),
    path(
        "opinions/stations/<str:station_code>/rota/<int:pk>/cancel/",
        rota_views.cancel_duty,
        name="opinions-rota-cancel",
    ),
    path("opinions/<str:code>/", ledger.opinion_detail, name="opinions-detail"),
    path("opinions/<str:code>/photos/<int:pk>/", ledger.opinion_photo, name="opinions-photo"),
    path("opinions/<str:code>/contacts/", ledger.opinion_contacts, name="opinions-contacts"),
    path("opinions/<str:code>/<str:action>/", ledger.opinion_action, name="opinions-action"),
]
