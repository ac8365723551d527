from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "liaison.webhooks"
    label = "webhooks"
    verbose_name = "对外推送（Webhook）"
