from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "liaison.events"
    label = "events"
    verbose_name = "事件日志"
