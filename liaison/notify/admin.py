from django.contrib import admin

from liaison.lib.masking import mask_phone

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "masked_phone", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject"]
    # Residents' phones (SMS to residents) are personal data: shown masked, like everywhere else.
    exclude = ["phone"]
    readonly_fields = ["masked_phone"]

    @admin.display(description="短信号码（脱敏）")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)
