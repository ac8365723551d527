from django.urls import path

from . import views

urlpatterns = [
    path("regions/", views.region_list, name="org-regions"),
    path("regions/<str:code>/", views.region_detail, name="org-region"),
    path("stations/", views.station_list, name="org-stations"),
    path("stations/<str:code>/", views.station_detail, name="org-station"),
    path("deputies/", views.deputy_list, name="org-deputies"),
    path("deputies/<str:code>/", views.deputy_detail, name="org-deputy"),
    path("units/", views.unit_list, name="org-units"),
    path("import/", views.import_view, name="org-import"),
    path("import/template/<str:kind>.xlsx", views.import_template, name="org-import-template"),
    path("export/<str:kind>.xlsx", views.export_sheet, name="org-export"),
]
