from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "liaison.notify"
    label = "notify"
    verbose_name = "通知"
