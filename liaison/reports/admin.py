from django.contrib import admin

from .models import Bulletin, ScoringWeights, UnitScoringWeights


@admin.register(ScoringWeights)
class ScoringWeightsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "shortlist_min_satisfaction", "star_thresholds", "updated_at"]

    def has_add_permission(self, request):
        return not ScoringWeights.objects.exists()


@admin.register(UnitScoringWeights)
class UnitScoringWeightsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "on_time", "consult", "first_satisfaction", "satisfaction", "updated_at"]

    def has_add_permission(self, request):
        return not UnitScoringWeights.objects.exists()


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "month", "generated_at"]
    list_filter = ["kind", "month"]
    readonly_fields = ["figures", "generated_at"]
