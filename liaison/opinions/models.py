"""社情民意: opinions from every channel, visits, report-back (回访), dispute mediation (矛盾纠纷化解)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.lib.codes import new_code
from liaison.lib.masking import mask_name, mask_phone


class Visit(models.Model):
    """One outing of a deputy (走出去) or a reception day (请进来) on which opinions were heard."""

    class Kind(models.TextChoices):
        DOOR = "door", "入户走访"
        KNOCK = "knock", "敲门走访"
        COURTYARD = "courtyard", "院落恳谈"
        FIRM = "firm", "进厂入企"
        RECEPTION = "reception", "坐堂接待"

    code = models.CharField("走访编号", max_length=16, unique=True)
    deputy = models.ForeignKey("org.Deputy", verbose_name="代表", on_delete=models.PROTECT, related_name="visits")
    station = models.ForeignKey("org.Station", verbose_name="联络站", on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField("方式", max_length=12, choices=Kind.choices)
    date = models.DateField("日期")
    place = models.CharField("地点", max_length=120)
    residents_met = models.CharField("走访对象", max_length=300, blank=True, help_text="见到的群众、企业等")
    note = models.TextField("情况记录", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d} {self.place}"


class Opinion(models.Model):
    class State(models.TextChoices):
        REGISTERED = "registered", "已登记"
        ANSWERED_ON_SPOT = "answered_on_spot", "当场答复"
        NOT_ACCEPTED = "not_accepted", "不予受理"
        ON_AGENDA = "on_agenda", "待会商"
        VILLAGE_HANDLING = "village_handling", "村级办理中"
        REFERRED = "referred", "已转办（民情直通车）"
        TO_SUGGESTION = "to_suggestion", "待形成建议"
        IN_SUGGESTION = "in_suggestion", "已形成代表建议"
        DUPLICATE = "duplicate", "重复合并"
        NOT_FEASIBLE = "not_feasible", "暂不可行"
        OUTCOME_RECORDED = "outcome_recorded", "已办结待回访"
        REPORTED_BACK = "reported_back", "已回访"
        CLOSED = "closed", "已关闭"

    class Channel(models.TextChoices):
        VISIT = "visit", "代表走访"
        RECEPTION = "reception", "坐堂接待"
        QR = "qr", "扫码提交"
        PHONE = "phone", "电话"
        LETTER = "letter", "来信"
        IN_PERSON = "in_person", "来访"

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY = "basically", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"

    code = models.CharField("查询码", max_length=16, unique=True)
    query_password_hash = models.CharField("查询密码（散列）", max_length=200, editable=False)
    station = models.ForeignKey("org.Station", verbose_name="联络站", on_delete=models.PROTECT, related_name="opinions")
    category = models.ForeignKey(
        "org.Category", verbose_name="分类", null=True, blank=True, on_delete=models.PROTECT, related_name="opinions"
    )
    deputy = models.ForeignKey(
        "org.Deputy",
        verbose_name="收集代表",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collected_opinions",
    )
    visit = models.ForeignKey(
        Visit, verbose_name="走访记录", null=True, blank=True, on_delete=models.PROTECT, related_name="opinions"
    )
    channel = models.CharField("渠道", max_length=12, choices=Channel.choices)
    title = models.CharField("标题", max_length=100)
    content = models.TextField("内容")
    resident_name = models.CharField("群众姓名", max_length=50, blank=True)
    resident_phone = models.CharField("联系电话", max_length=20, blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.REGISTERED)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set by the decisions (on the spot or at the monthly meeting).
    reason = models.TextField("理由/说明", blank=True)
    redirect_to = models.CharField("建议反映渠道", max_length=200, blank=True, help_text="不予受理时告知群众的去处")
    referred_unit = models.ForeignKey(
        "org.HandlingUnit",
        verbose_name="转办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referred_opinions",
    )
    due_date = models.DateField("办理期限", null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name="重复于", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    drafting_deputy = models.ForeignKey(
        "org.Deputy",
        verbose_name="建议起草代表",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drafting_opinions",
    )
    outcome = models.TextField("办理结果", blank=True)
    outcome_at = models.DateTimeField("结果登记时间", null=True, blank=True)
    decided_at = models.DateTimeField("处置时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    rating = models.CharField("群众评价", max_length=14, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    # Public QR submissions: the form's idempotency key, and a keyed hash of the client address (flood limit).
    # "<endpoint>:<client key>", unique per station (services/intake.py submit_public_opinion), with a digest of
    # the request it answered: a retry gets the same answer, the same key with other content a 422.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, editable=False)
    request_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    client_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Set when the retention limit blanked the resident's personal data (services/retention.py).
    purged_at = models.DateTimeField("个人信息清除时间", null=True, blank=True, editable=False)
    # The resident's choice on the status page: no more SMS about this item (services/telling.py).
    sms_opt_out = models.BooleanField("不再接收短信通知", default=False)

    class Meta:
        verbose_name = "社情民意"
        verbose_name_plural = "社情民意"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The ledger: one station or many, newest first, optionally by state.
            models.Index(fields=["station", "-created_at", "-id"], name="opinion_station_created_id"),
            models.Index(fields=["station", "state"], name="opinion_station_state"),
            models.Index(fields=["-created_at", "-id"], name="opinion_created_id"),
            models.Index(fields=["client_hash", "created_at"], name="opinion_client_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["station", "idempotency_key"], name="opinion_idempotency_per_station"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.resident_name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.resident_phone)


# States, their groups, the transition table and who may act: lifecycle.py.


class ResidentMessage(models.Model):
    """The SMS text a resident gets at one public step; which step sends it and the defaults used when a row is
    missing: services/telling.py. Edited in the admin."""

    class Step(models.TextChoices):
        REGISTERED = "registered", "登记受理"
        PUT_ON_AGENDA = "put_on_agenda", "列入会商议题"
        ANSWERED_ON_SPOT = "answered_on_spot", "当场答复"
        NOT_ACCEPTED = "not_accepted", "不予受理"
        VILLAGE_HANDLING = "village_handling", "会商决定：村两委办理"
        REFERRED = "referred", "会商决定：转办（民情直通车）"
        TO_SUGGESTION = "to_suggestion", "会商决定：形成代表建议"
        DUPLICATE = "duplicate", "会商决定：重复合并"
        NOT_FEASIBLE = "not_feasible", "会商决定：暂不可行"
        OUTCOME_RECORDED = "outcome_recorded", "办理结果已登记"
        SUGGESTION_ACCEPTED = "suggestion_accepted", "代表建议立案"
        SUGGESTION_ASSIGNED = "suggestion_assigned", "代表建议交办"
        SUGGESTION_ANSWERED = "suggestion_answered", "代表建议答复"
        SUGGESTION_REHANDLING = "suggestion_rehandling", "代表建议重新办理"
        SUGGESTION_CLOSED = "suggestion_closed", "代表建议办结"
        FOOTER = "footer", "每条短信的结尾（进度链接、退订）"

    step = models.CharField("环节", max_length=30, choices=Step.choices, unique=True)
    text = models.CharField(
        "短信内容",
        max_length=200,
        help_text="可用占位符：{code} 查询码，{station} 联络站，{title} 反映的问题（前15字），{unit} 办理单位，"
        "{due_date} 办理期限，{case_number} 建议案号，{link} 办理进度链接（放在结尾一条里）",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "群众短信模板"
        verbose_name_plural = "群众短信模板"
        ordering = ["id"]

    def __str__(self):
        return self.get_step_display()

    def clean(self):
        from django.core.exceptions import ValidationError

        from .services.telling import template_problem

        if problem := template_problem(self.text):
            raise ValidationError({"text": problem})


def photo_path(instance, filename):
    return f"opinions/{timezone.now():%Y/%m}/{new_code('', 16)}{filename[filename.rfind('.') :]}"


class Photo(models.Model):
    """A resident's photo, re-encoded by Pillow on upload (no metadata, JPEG or PNG only)."""

    opinion = models.ForeignKey(Opinion, verbose_name="社情民意", on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("图片", upload_to=photo_path)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"
        ordering = ["id"]

    def __str__(self):
        return self.image.name


class ReportBack(models.Model):
    """回访: proof the resident was told the outcome. Closing an opinion requires one."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", "当面告知"
        PHONE = "phone", "电话告知"
        SMS = "sms", "短信告知"
        NOTICE = "notice", "张榜公示"
        ON_SPOT = "on_spot", "当场答复"

    class Reaction(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY = "basically", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"
        NONE = "none", "未表态"

    opinion = models.ForeignKey(Opinion, verbose_name="社情民意", on_delete=models.CASCADE, related_name="reportbacks")
    method = models.CharField("回访方式", max_length=12, choices=Method.choices)
    at = models.DateField("回访日期")
    reaction = models.CharField("群众反应", max_length=14, choices=Reaction.choices)
    note = models.TextField("回访情况", blank=True)
    deputy = models.ForeignKey(
        "org.Deputy", verbose_name="回访代表", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "回访记录"
        verbose_name_plural = "回访记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.opinion.code} {self.get_method_display()} {self.at}"


class Mediation(models.Model):
    """矛盾纠纷化解 recorded by a deputy; parties are personal data and masked in display."""

    class Result(models.TextChoices):
        RESOLVED = "resolved", "调解成功"
        PARTIAL = "partial", "部分达成"
        UNRESOLVED = "unresolved", "未达成，已引导依法解决"

    code = models.CharField("编号", max_length=16, unique=True)
    deputy = models.ForeignKey("org.Deputy", verbose_name="代表", on_delete=models.PROTECT, related_name="mediations")
    station = models.ForeignKey(
        "org.Station", verbose_name="联络站", null=True, blank=True, on_delete=models.PROTECT, related_name="mediations"
    )
    date = models.DateField("日期")
    parties = models.CharField("当事人", max_length=200, help_text="多人以逗号分隔；页面上脱敏显示")
    subject = models.CharField("纠纷事由", max_length=200)
    steps = models.TextField("调解经过")
    result = models.CharField("结果", max_length=12, choices=Result.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "矛盾纠纷化解"
        verbose_name_plural = "矛盾纠纷化解"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.subject}"

    @property
    def masked_parties(self) -> str:
        names = [p.strip() for p in self.parties.replace("，", ",").replace("、", ",").split(",") if p.strip()]
        return "、".join(mask_name(n) for n in names)


class LookupFailure(models.Model):
    """A wrong tracking code or query password on the resident's status page (throttling, kept 1 day)."""

    client_hash = models.CharField(max_length=64)
    code = models.CharField(max_length=16, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["client_hash", "at"], name="lookup_client_at"),
            models.Index(fields=["code", "at"], name="lookup_code_at"),
        ]

    def __str__(self):
        return f"{self.code} {self.at:%Y-%m-%d %H:%M}"


class ReceptionDuty(models.Model):
    """The reception-day rota (坐堂接待排班): which deputies receive residents at the station on which day."""

    station = models.ForeignKey("org.Station", verbose_name="联络站", on_delete=models.CASCADE, related_name="duties")
    date = models.DateField("接待日期")
    deputy = models.ForeignKey("org.Deputy", verbose_name="值班代表", on_delete=models.CASCADE, related_name="duties")
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="排班人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("排班时间", default=timezone.now)

    class Meta:
        verbose_name = "接待日排班"
        verbose_name_plural = "接待日排班"
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["station", "date", "deputy"], name="duty_unique")]

    def __str__(self):
        return f"{self.date} {self.deputy}"
