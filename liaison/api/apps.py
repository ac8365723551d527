from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "liaison.api"
    label = "api"
    verbose_name = "接口访问"
