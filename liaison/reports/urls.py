from django.urls import path

from . import unit_views, views

urlpatterns = [
    path("reports/", views.index, name="reports-index"),
    path("reports/items/", views.items, name="reports-items"),
    path("reports/region/<str:code>/", views.region_dashboard, name="reports-region"),
    path("reports/region/<str:code>/compare/", views.township_comparison, name="reports-compare"),
    path("reports/region/<str:code>/export/<str:table>.xlsx", views.region_export, name="reports-region-export"),
    path("reports/station/<str:code>/", views.station_dashboard, name="reports-station"),
    path("reports/deputy/<str:code>/", views.deputy_record, name="reports-deputy"),
    path("reports/assessment/<str:code>/", views.assessment, name="reports-assessment"),
    path(
        "reports/assessment/<str:code>/export/<str:table>.xlsx",
        views.assessment_export,
        name="reports-assessment-export",
    ),
    path("reports/units/<str:code>/", unit_views.unit_scoring, name="reports-units"),
    path("reports/units/<str:code>/export.xlsx", unit_views.unit_scoring_export, name="reports-units-export"),
    path("reports/units/<str:code>/items/<str:unit>/", unit_views.unit_scoring_items, name="reports-units-items"),
    path("reports/bulletins/", views.bulletin_list, name="reports-bulletins"),
    path("reports/bulletin/<str:scope>/<str:code>/<str:month>/", views.bulletin_page, name="reports-bulletin"),
    path(
        "reports/bulletin/<str:scope>/<str:code>/<str:month>/file.<str:fmt>",
        views.bulletin_file,
        name="reports-bulletin-file",
    ),
]
