import datetime as dt

from django import forms
from django.utils import timezone

from liaison.lib.errors import DomainError
from liaison.lib.forms import DateInput
from liaison.lib.uploads import ALLOWED_LABEL, MAX_ATTACHMENT_BYTES, clean_attachment
from liaison.org.models import Category, Deputy, HandlingUnit, Level

from .models import Consultation, Evaluation


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


ATTACHMENT_HELP = f"可选；{ALLOWED_LABEL}，不超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB"


class AttachmentField(forms.FileField):
    """The same check as the services (liaison/lib/uploads.py), asked early for a field error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            try:
                clean_attachment(upload)
            except DomainError as exc:
                raise forms.ValidationError(exc.message)
        return upload


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                widget.attrs.setdefault("class", "form-control")


class DraftForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label="标题", max_length=120)
    cause = forms.CharField(label="案由", widget=_textarea(2))
    reasons = forms.CharField(label="理由", widget=_textarea(4), required=False)
    proposals = forms.CharField(label="具体建议", widget=_textarea(4))
    category = forms.ModelChoiceField(label="分类", queryset=Category.objects.filter(is_active=True))
    level = forms.ChoiceField(label="以何种代表身份提出", choices=())
    publishable = forms.BooleanField(label="同意公开", required=False, initial=True)
    confidential = forms.BooleanField(label="申请保密（对承办单位和公众隐去代表及当事人身份）", required=False)
    attachment = AttachmentField(label="附件", required=False, help_text=ATTACHMENT_HELP)
    opinions = forms.MultipleChoiceField(
        label="来源民意（会商决定由您起草建议的事项）", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, deputy: Deputy, opinions=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        levels = dict(Level.choices)
        self.fields["level"].choices = [(m, levels[m]) for m in deputy.mandates.values_list("level", flat=True)]
        self.opinion_objects = {o.code: o for o in opinions}
        self.fields["opinions"].choices = [(o.code, f"{o.code} {o.title}") for o in opinions]
        if editing:
            for name in ("level", "opinions", "attachment"):
                del self.fields[name]

    def clean_opinions(self):
        return [self.opinion_objects[c] for c in self.cleaned_data["opinions"]]


class InviteForm(BootstrapMixin, forms.Form):
    deputies = forms.MultipleChoiceField(label="邀请附议代表", widget=forms.CheckboxSelectMultiple)
    deadline = forms.DateField(label="附议截止日期", widget=DateInput())

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {d.code: d for d in candidates}
        self.fields["deputies"].choices = [(d.code, d.name) for d in candidates]
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=7)

    def clean_deputies(self):
        return [self.candidates[c] for c in self.cleaned_data["deputies"]]


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label="审查意见", choices=[("accept", "立案"), ("merge", "并案"), ("reject", "不予立案")]
    )
    merge_into = forms.CharField(label="并入建议编号或案号", required=False, max_length=60)
    reason = forms.CharField(label="理由（不予立案必填，将告知代表）", widget=_textarea(2), required=False)


class AssignForm(BootstrapMixin, forms.Form):
    mode = forms.ChoiceField(
        label="交办方式",
        choices=[("lead", "主办（可加协办）"), ("split", "分办（各单位分别答复）")],
        widget=forms.RadioSelect,
        initial="lead",
    )
    lead = forms.ModelChoiceField(label="主办单位", queryset=HandlingUnit.objects.none(), required=False)
    co = forms.ModelMultipleChoiceField(
        label="协办单位", queryset=HandlingUnit.objects.none(), required=False, widget=forms.SelectMultiple
    )
    split = forms.ModelMultipleChoiceField(
        label="分办单位", queryset=HandlingUnit.objects.none(), required=False, widget=forms.SelectMultiple
    )
    parts = forms.CharField(label="分办内容（每行一条，与所选分办单位顺序对应）", widget=_textarea(3), required=False)
    note = forms.CharField(label="交办说明", widget=_textarea(2), required=False)

    def __init__(self, *args, units, proposed=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lead", "co", "split"):
            self.fields[name].queryset = units
        if proposed:
            self.fields["lead"].initial = proposed[0].pk

    def clean(self):
        data = super().clean()
        if data.get("mode") == "lead" and not data.get("lead"):
            self.add_error("lead", "请选择主办单位")
        if data.get("mode") == "split":
            # How many units a split needs is the service's rule (review.assign_suggestion).
            units = list(data.get("split") or [])
            parts = [p.strip() for p in (data.get("parts") or "").splitlines() if p.strip()]
            data["split_pairs"] = [(u, parts[i] if i < len(parts) else "") for i, u in enumerate(units)]
        return data


class ReassignForm(BootstrapMixin, forms.Form):
    unit = forms.ModelChoiceField(label="重新交办给", queryset=HandlingUnit.objects.none())
    note = forms.CharField(label="说明", required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label="理由", widget=_textarea(2))


class NoteForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label="说明", widget=_textarea(2), required=False)


class ConsultationForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="面商方式", choices=Consultation.Kind.choices)
    held_on = forms.DateField(label="面商日期", widget=DateInput())
    notes = forms.CharField(label="面商情况", widget=_textarea(2))


class ProgressForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label="办理进展", widget=_textarea(2))


class CoOpinionForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label="协办意见", widget=_textarea(3))


class ExtensionForm(BootstrapMixin, forms.Form):
    months = forms.IntegerField(label="延期（月）", min_value=1, max_value=12, initial=1)
    reason = forms.CharField(label="延期理由", widget=_textarea(2))


class AnswerForm(BootstrapMixin, forms.Form):
    answer_class = forms.ChoiceField(label="答复类别", choices=())
    text = forms.CharField(label="答复内容", widget=_textarea(5))
    signer = forms.CharField(label="签发人", max_length=50)
    commitments = forms.CharField(
        label="承诺事项（B、C 类必填；每行一条：YYYY-MM-DD 承诺事项）", widget=_textarea(3), required=False
    )
    attachment = AttachmentField(label="答复附件", required=False, help_text=ATTACHMENT_HELP)

    def __init__(self, *args, classes="ABCD", **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Answer

        self.fields["answer_class"].choices = [(c, Answer.CLASS_LABELS.get(c, c)) for c in classes]


class CommitmentDoneForm(BootstrapMixin, forms.Form):
    commitment = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label="兑现情况", widget=_textarea(2))


class EvaluationForm(BootstrapMixin, forms.Form):
    process = forms.ChoiceField(label="对办理过程", choices=Evaluation.Rating.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(label="对办理结果", choices=Evaluation.Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="意见和建议", widget=_textarea(3), required=False)


class ReplyScanForm(BootstrapMixin, forms.Form):
    answer = forms.IntegerField(widget=forms.HiddenInput)
    scan = forms.FileField(
        label="盖章答复函扫描件",
        help_text=f"PDF 或 JPG，不超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB",
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg"}),
    )


class PaperEvaluationForm(EvaluationForm):
    """Staff enter a returned paper 征求意见表: whose form it is, then the same ratings as online."""

    deputy = forms.ModelChoiceField(label="交回意见表的代表", queryset=Deputy.objects.none())
    field_order = ["deputy", "process", "result", "comment"]

    def __init__(self, *args, deputies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = deputies
        self.order_fields(self.field_order)


class SuperviseForm(BootstrapMixin, forms.Form):
    action = forms.ChoiceField(choices=[("key", "列为重点督办"), ("unkey", "取消重点督办"), ("note", "督办意见")])
    leader = forms.ModelChoiceField(label="督办领导", queryset=None, required=False)
    note = forms.CharField(label="督办意见", widget=_textarea(2), required=False)

    def __init__(self, *args, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders
