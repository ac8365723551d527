"""/open311/v2/: the GeoReport v2 resources, each in .json and .xml."""

from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "open311fmt")

urlpatterns = [
    path("discovery.<open311fmt:fmt>", views.discovery, name="open311-discovery"),
    path("services.<open311fmt:fmt>", views.services, name="open311-services"),
    path("services/<str:service_code>.<open311fmt:fmt>", views.service_definition, name="open311-service"),
    path("requests.<open311fmt:fmt>", views.requests, name="open311-requests"),
    path("requests/<str:service_request_id>.<open311fmt:fmt>", views.request_detail, name="open311-request"),
]
