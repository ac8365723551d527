from django.contrib import admin

from .models import Bulletin, ScoringWeights


@admin.register(ScoringWeights)
class ScoringWeightsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "shortlist_min_satisfaction", "star_thresholds", "updated_at"]

    def has_add_permission(self, request):
        return not ScoringWeights.objects.exists()


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "month", "generated_at"]
    list_filter = ["kind", "month"]
    readonly_fields = ["figures", "generated_at"]
