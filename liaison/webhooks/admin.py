from django.contrib import admin, messages

from . import services
from .models import Delivery, Webhook


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "kinds", "public_only", "active", "created_at"]
    list_filter = ["active", "public_only"]
    search_fields = ["name", "url"]
    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.forget_cached_webhooks()


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: what was sent where, the receiver's answer, and when it is tried again."""

    list_display = ["id", "webhook", "kind", "status", "attempts", "last_status", "next_attempt_at", "delivered_at"]
    list_filter = ["status", "webhook"]
    search_fields = ["kind", "=event_id"]
    actions = ["retry_now"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="立即重新推送所选记录")
    def retry_now(self, request, queryset):
        n = services.retry_now(queryset)
        self.message_user(request, f"已安排重新推送 {n} 条", messages.SUCCESS)
