from django.contrib import admin

from .models import Assignment, Suggestion, WorkdayOverride


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["note"]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["code", "case_number", "title", "state", "body", "key_supervised"]
    list_filter = ["state", "key_supervised"]
    search_fields = ["code", "case_number", "title"]
    raw_id_fields = ["lead_deputy", "body", "station", "region", "merged_into", "supervising_leader", "category"]

    # States change only through the services (the event log must see every change).
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["code", "suggestion", "unit", "role", "state", "due_date", "flag"]
    list_filter = ["state", "role", "flag"]
    search_fields = ["code", "suggestion__code"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
