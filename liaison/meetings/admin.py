from django.contrib import admin

from .models import Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "station", "state"]
    list_filter = ["state"]
    raw_id_fields = ["station", "opened_by"]
