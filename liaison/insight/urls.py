from django.urls import path

from . import views

urlpatterns = [
    path("insight/similar/", views.similar, name="insight-similar"),
    path("insight/categorise/", views.categorise, name="insight-categorise"),
    path("insight/topics/", views.topics, name="insight-topics"),
    path("insight/clusters/", views.clusters, name="insight-clusters"),
]
