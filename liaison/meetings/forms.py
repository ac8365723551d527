"""Forms of the meeting pages; rules live in services.py."""

from django import forms
from django.utils import timezone

from liaison.lib.forms import DateInput
from liaison.org.models import Deputy, HandlingUnit, Region

from .models import AgendaItem


class OpenMeetingForm(forms.Form):
    held_at = forms.DateTimeField(
        label="会商时间",
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(
        label="地点", max_length=120, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    chair = forms.CharField(
        label="主持人", max_length=50, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class AttendanceForm(forms.Form):
    present = forms.ModelMultipleChoiceField(
        label="出席代表", queryset=Deputy.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = Deputy.objects.filter(stationings__station=station).order_by("code")


def units_for(station):
    """Townships and departments that may receive a referral (民情直通车) from this station."""
    county = station.region.ancestor_of_level(Region.Level.COUNTY)
    prefix = county.path if county else station.region.path
    return (
        HandlingUnit.objects.filter(region__path__startswith=prefix, is_active=True)
        .exclude(kind=HandlingUnit.Kind.VILLAGE_COMMITTEE)
        .filter(region__level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP])
        .order_by("kind", "code")
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="决定",
        choices=[("", "请选择…"), *AgendaItem.Decision.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    due_date = forms.DateField(
        label="办理期限（村级办理）",
        required=False,
        widget=DateInput(attrs={"class": "form-control form-control-sm"}),
    )
    # Plain choice fields (not ModelChoiceField): one agenda page renders a form per item, and the
    # choices are built once per page instead of one query per select.
    unit = forms.TypedChoiceField(
        label="转办单位（民情直通车）",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    drafting_deputy = forms.TypedChoiceField(
        label="起草代表（形成建议）",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    duplicate_code = forms.CharField(
        label="重复于（查询码）",
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "list": "agenda-codes"}),
    )
    note = forms.CharField(
        label="说明 / 不可行理由",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, station, units=None, deputies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in (units if units is not None else units_for(station))}
        self.deputies = {
            d.pk: d
            for d in (
                deputies
                if deputies is not None
                else Deputy.objects.filter(stationings__station=station).order_by("code")
            )
        }
        self.fields["unit"].choices = [("", "—"), *((u.pk, u.name) for u in self.units.values())]
        self.fields["drafting_deputy"].choices = [("", "—"), *((d.pk, d.name) for d in self.deputies.values())]

    def clean_unit(self):
        pk = self.cleaned_data.get("unit")
        return self.units.get(pk) if pk else None

    def clean_drafting_deputy(self):
        pk = self.cleaned_data.get("drafting_deputy")
        return self.deputies.get(pk) if pk else None
