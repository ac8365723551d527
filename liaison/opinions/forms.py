"""Forms of the opinion pages. They shape input; the rules live in services.py and validation.py."""

import secrets
import time

from django import forms
from django.core import signing
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone

from liaison.lib.forms import DateInput
from liaison.org.models import Category, Deputy

from .models import Mediation, Opinion, ReportBack, Visit
from .validation import MAX_TEXT, MAX_VISIT_OPINIONS

TOKEN_SALT = "liaison.opinions.public-form"
MIN_FILL_SECONDS = 3  # a person needs longer than this to type a concern; scripts usually do not wait
MAX_FORM_AGE = 24 * 3600


def form_token(station_code: str, issued_at: float | None = None) -> str:
    return signing.dumps(
        {"s": station_code, "t": int(issued_at if issued_at is not None else time.time())}, salt=TOKEN_SALT
    )


def new_idempotency_key() -> str:
    return secrets.token_hex(16)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "class": "form-control"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []

    def has_changed(self, initial, data):
        return bool(data)  # an empty choice is no change (FileField counts the empty list as one: formset rows)


def _categories():
    return Category.objects.filter(parent=None, is_active=True).order_by("sort", "id")


class FreeTextField(forms.CharField):
    """A CharField whose NUL-character check is left to validation.clean_text (one clear Chinese message)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


def _text(label, rows=5, required=False, max_length=MAX_TEXT):
    # Length and content are checked by the service (clear Chinese messages); maxlength helps the browser.
    return FreeTextField(
        label=label,
        required=required,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": max_length, "class": "form-control"}),
    )


def _line(label, max_length, required=False, **attrs):
    return FreeTextField(
        label=label,
        required=required,
        widget=forms.TextInput(attrs={"maxlength": max_length, "class": "form-control", **attrs}),
    )


class PublicOpinionForm(forms.Form):
    """The resident's form on the station's QR page. No account; name and phone optional."""

    title = _line("标题（可不填）", 100, placeholder="一句话概括，如：村口路灯不亮")
    content = _text("反映内容", rows=6)
    category = forms.ModelChoiceField(
        label="问题类别（可不选）",
        queryset=Category.objects.none(),
        required=False,
        empty_label="不清楚 / 其他",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    resident_name = _line("姓名（可匿名）", 50, autocomplete="name")
    resident_phone = _line("联系电话（可不填，便于回访）", 20, inputmode="tel", autocomplete="tel")
    photos = MultipleFileField(label="照片（可选，最多 3 张 JPG/PNG，每张不超过 5 MB）", required=False)
    key = forms.CharField(widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput)
    # Honeypot: hidden from people, filled in by naive bots.
    website = forms.CharField(
        label="网址（请勿填写）",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, station=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.station = station
        self.fields["category"].queryset = _categories()
        # The one field a resident must fill (checked by the service); marked for the eye and for screen readers.
        self.fields["content"].widget.attrs.update({"required": True, "aria-required": "true"})

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError("提交未成功，请刷新页面后重新填写")
        try:
            payload = signing.loads(data.get("token") or "", salt=TOKEN_SALT, max_age=MAX_FORM_AGE)
        except signing.BadSignature:  # includes SignatureExpired
            raise forms.ValidationError("表单已过期，请刷新页面后重新填写")
        if payload.get("s") != getattr(self.station, "code", None):
            raise forms.ValidationError("表单与联络站不符，请重新扫码填写")
        if time.time() - payload.get("t", 0) < MIN_FILL_SECONDS:
            raise forms.ValidationError("提交太快了，请核对内容后再提交")
        return data


class LookupForm(forms.Form):
    # The code mixes letters and digits (liaison.lib.codes.ALPHABET): a letter keyboard, in capitals.
    code = _line(
        "查询码", 16, autocomplete="off", placeholder="如 M3K7Q9XA", autocapitalize="characters", spellcheck="false"
    )
    password = forms.CharField(
        label="查询密码",
        required=False,
        widget=forms.PasswordInput(
            attrs={"class": "form-control", "autocomplete": "off", "maxlength": 20, "inputmode": "numeric"}
        ),
    )


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label="您对办理结果的评价", choices=Opinion.Rating.choices, widget=forms.RadioSelect)


class RegisterForm(forms.Form):
    """The liaison officer registers an opinion received by phone, letter or in person."""

    CHANNELS = [
        (Opinion.Channel.PHONE, "电话"),
        (Opinion.Channel.LETTER, "来信"),
        (Opinion.Channel.IN_PERSON, "来访"),
        (Opinion.Channel.RECEPTION, "坐堂接待"),
    ]
    station = forms.ModelChoiceField(label="联络站", queryset=None, widget=forms.Select(attrs={"class": "form-select"}))
    channel = forms.ChoiceField(label="渠道", choices=CHANNELS, widget=forms.Select(attrs={"class": "form-select"}))
    deputy = forms.ModelChoiceField(
        label="接待代表（可不选）",
        queryset=Deputy.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    category = forms.ModelChoiceField(
        label="分类",
        queryset=Category.objects.none(),
        required=False,
        empty_label="未分类",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    title = _line("标题", 100)
    content = _text("反映内容", rows=5)
    resident_name = _line("群众姓名", 50)
    resident_phone = _line("联系电话", 20, inputmode="tel", autocomplete="off")
    photos = MultipleFileField(label="照片（可选）", required=False)

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        self.fields["category"].queryset = _categories()
        self.fields["deputy"].queryset = Deputy.objects.filter(stationings__station__in=stations).distinct()


class VisitForm(forms.Form):
    station = forms.ModelChoiceField(label="联络站", queryset=None, widget=forms.Select(attrs={"class": "form-select"}))
    kind = forms.ChoiceField(
        label="方式", choices=Visit.Kind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    date = forms.DateField(
        label="日期",
        initial=timezone.localdate,
        widget=DateInput(attrs={"class": "form-control"}),
    )
    place = _line("地点", 120, required=True)
    residents_met = _line("走访对象", 300, placeholder="如：三组村民 12 人、XX 食品厂")
    note = _text("情况记录", rows=3)

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations


class VisitOpinionForm(forms.Form):
    title = _line("标题", 100)
    content = _text("群众反映的问题", rows=3)
    category = forms.ModelChoiceField(
        label="分类",
        queryset=Category.objects.none(),
        required=False,
        empty_label="未分类",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    resident_name = _line("群众姓名", 50)
    resident_phone = _line("联系电话", 20, inputmode="tel", autocomplete="off")
    photos = MultipleFileField(label="照片（可选，最多 3 张）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()


VisitOpinionFormSet = forms.formset_factory(
    VisitOpinionForm, extra=3, max_num=MAX_VISIT_OPINIONS, absolute_max=MAX_VISIT_OPINIONS, validate_max=True
)


class AnswerForm(forms.Form):
    answer = _text("答复内容", rows=3)
    told_now = forms.BooleanField(label="已当面告知群众（同时记为回访）", required=False, initial=True)


class RefuseForm(forms.Form):
    reason = _text("不予受理理由", rows=2)
    redirect_to = _line("建议反映渠道", 200, placeholder="如：县人民法院、村人民调解委员会")


class OutcomeForm(forms.Form):
    text = _text("办理结果", rows=3)


class ReportBackForm(forms.Form):
    method = forms.ChoiceField(
        label="回访方式",
        choices=[c for c in ReportBack.Method.choices if c[0] != ReportBack.Method.ON_SPOT],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    at = forms.DateField(
        label="回访日期",
        initial=timezone.localdate,
        widget=DateInput(attrs={"class": "form-control"}),
    )
    reaction = forms.ChoiceField(
        label="群众反应", choices=ReportBack.Reaction.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    note = _text("回访情况", rows=2)


class RevealForm(forms.Form):
    """The reason for seeing a resident's contacts unmasked (个人信息访问日志); the service checks it is given."""

    reason = _line("查看理由", 200, required=True, placeholder="如：电话回访群众、核实反映情况")


class MediationForm(forms.Form):
    station = forms.ModelChoiceField(
        label="联络站", queryset=None, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    date = forms.DateField(
        label="日期",
        initial=timezone.localdate,
        widget=DateInput(attrs={"class": "form-control"}),
    )
    parties = _line("当事人", 200, required=True, placeholder="多人以逗号分隔")
    subject = _line("纠纷事由", 200, required=True)
    steps = _text("调解经过", rows=4)
    result = forms.ChoiceField(
        label="结果", choices=Mediation.Result.choices, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
