"""代表建议: the suggestion closed loop 提、交、办、督、评.

Every state change goes through `services/` (`transition()` with the tables in `lifecycles/`). Events of
a suggestion and of its assignments share one subject ("suggestion", code), so the timeline is one query.
"""

from django.conf import settings
from django.db import models

from liaison.lib.codes import new_code

from .oversight_models import Reminder, SupervisionNote  # noqa: F401
from .paper_models import EvaluationSource, ReplyLetterScan  # noqa: F401


class WorkdayOverride(models.Model):
    """Admin corrections of the official calendar (e.g. next year's holidays before the package knows them)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", help_text="勾选：上班（含调休补班）；不勾选：放假")
    note = models.CharField("说明", max_length=80, blank=True, help_text="如：2027年国庆节调休")

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_workday else '放假'}"


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    COSIGNING = "cosigning", "征集附议"
    SUBMITTED = "submitted", "已提交待审查"
    ACCEPTED = "accepted", "已立案待交办"
    MERGED = "merged", "已并案"
    REJECTED = "rejected", "不予立案"
    WITHDRAWN = "withdrawn", "已撤回"
    ASSIGNED = "assigned", "已交办"
    HANDLING = "handling", "办理中"
    RETURNED = "returned", "已退回待重新交办"
    ANSWERED = "answered", "已答复待测评"
    EVALUATED = "evaluated", "已测评"
    REHANDLING = "rehandling", "重新办理"
    CLOSED = "closed", "已办结"
    FOLLOW_UP = "follow_up", "跟踪办理"


# Groups of states, the transition tables and who may act live in lifecycles/ (one module per lifecycle).


class Suggestion(models.Model):
    State = State

    code = models.CharField("建议编号", max_length=16, unique=True, default=None)
    case_number = models.CharField("案号", max_length=60, blank=True)
    case_year = models.PositiveSmallIntegerField("立案年度", null=True, blank=True)
    case_seq = models.PositiveIntegerField("立案序号", null=True, blank=True)
    title = models.CharField("标题", max_length=120)
    cause = models.TextField("案由")
    reasons = models.TextField("理由", blank=True)
    proposals = models.TextField("具体建议")
    category = models.ForeignKey(
        "org.Category", verbose_name="分类", on_delete=models.PROTECT, related_name="suggestions"
    )
    lead_deputy = models.ForeignKey(
        "org.Deputy", verbose_name="领衔代表", on_delete=models.PROTECT, related_name="led_suggestions"
    )
    level = models.CharField("代表层级", max_length=12)
    body = models.ForeignKey("org.Body", verbose_name="受理机关", on_delete=models.PROTECT, related_name="suggestions")
    station = models.ForeignKey(
        "org.Station",
        verbose_name="联络站",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    region = models.ForeignKey(
        "org.Region", verbose_name="所在地区", on_delete=models.PROTECT, related_name="suggestions"
    )
    publishable = models.BooleanField("同意公开", default=True)
    confidential = models.BooleanField("申请保密（隐去代表和当事人身份）", default=False)
    attachment = models.FileField("附件", upload_to="suggestions/%Y/%m/", blank=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.DRAFT, db_index=True)
    cosign_deadline = models.DateField("附议截止日期", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name="并入建议", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    review_note = models.TextField("审查意见", blank=True)
    key_supervised = models.BooleanField("重点督办", default=False, db_index=True)
    supervising_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督办领导",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_suggestions",
    )
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    rehandle_count = models.PositiveSmallIntegerField("重新办理次数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_at = models.DateTimeField("立案时间", null=True, blank=True)
    assigned_on = models.DateField("首次交办日期", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "代表建议"
        verbose_name_plural = "代表建议"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["body", "case_year", "case_seq"], name="suggestion_unique_case_number")
        ]
        indexes = [
            models.Index(fields=["body", "state"]),
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["-created_at", "-id"], name="suggestion_newest"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = new_code("S", 8)
        super().save(*args, **kwargs)

    @property
    def level_label(self) -> str:
        from liaison.org.models import Level

        return dict(Level.choices).get(self.level, self.level)

    @property
    def is_published(self) -> bool:
        """Shown on the public page: closed, publishable and not confidential (published_q is the same rule)."""
        return self.state == State.CLOSED and self.publishable and not self.confidential

    @staticmethod
    def published_q() -> models.Q:
        return models.Q(state=State.CLOSED, publishable=True, confidential=False)


class CoSigner(models.Model):
    class State(models.TextChoices):
        INVITED = "invited", "已邀请"
        CONFIRMED = "confirmed", "已附议"
        DECLINED = "declined", "已谢绝"
        EXPIRED = "expired", "逾期未确认"

    suggestion = models.ForeignKey(Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="cosigners")
    deputy = models.ForeignKey(
        "org.Deputy", verbose_name="附议代表", on_delete=models.PROTECT, related_name="cosigned_suggestions"
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.INVITED)
    deadline = models.DateField("确认截止日期", null=True, blank=True)
    invited_at = models.DateTimeField("邀请时间", auto_now_add=True)
    responded_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "附议代表"
        verbose_name_plural = "附议代表"
        constraints = [models.UniqueConstraint(fields=["suggestion", "deputy"], name="cosigner_unique")]

    def __str__(self):
        return f"{self.deputy} · {self.get_state_display()}"


class SuggestionSource(models.Model):
    """Lineage: each opinion (社情民意) that fed the suggestion."""

    suggestion = models.ForeignKey(Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="sources")
    opinion = models.ForeignKey(
        "opinions.Opinion", verbose_name="来源民意", on_delete=models.PROTECT, related_name="suggestion_sources"
    )
    created_at = models.DateTimeField("关联时间", auto_now_add=True)

    class Meta:
        verbose_name = "建议来源"
        verbose_name_plural = "建议来源"
        constraints = [models.UniqueConstraint(fields=["suggestion", "opinion"], name="suggestion_source_unique")]

    def __str__(self):
        return f"{self.suggestion_id} ← {self.opinion_id}"


class Assignment(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        CO = "co", "协办"
        SPLIT = "split", "分办"

    class State(models.TextChoices):
        ASSIGNED = "assigned", "待签收"
        SIGNED = "signed", "办理中"
        RETURNED = "returned", "已退回"
        ANSWERED = "answered", "已答复"
        REHANDLING = "rehandling", "重新办理"
        CLOSED = "closed", "已办结"

    class Flag(models.TextChoices):
        GREEN = "green", "正常"
        YELLOW = "yellow", "临期"
        RED = "red", "超期"

    code = models.CharField("交办编号", max_length=16, unique=True, default=None)
    suggestion = models.ForeignKey(
        Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="assignments"
    )
    # No index of its own: the (unit, state) index below leads with it (one index less for supervise's bulk
    # flag updates to maintain).
    unit = models.ForeignKey(
        "org.HandlingUnit",
        verbose_name="承办单位",
        on_delete=models.PROTECT,
        related_name="assignments",
        db_index=False,
    )
    role = models.CharField("办理方式", max_length=6, choices=Role.choices, default=Role.LEAD)
    part = models.TextField("分办内容", blank=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.ASSIGNED)
    start_date = models.DateField("起算日期")
    assigned_on = models.DateField("交办日期")
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    due_date = models.DateField("办理期限")
    paused_days = models.PositiveSmallIntegerField("停表工作日", default=0)
    extension_months = models.PositiveSmallIntegerField("已延期（月）", default=0)
    flag = models.CharField("督办标识", max_length=6, choices=Flag.choices, default=Flag.GREEN)
    returned_on = models.DateField("退回日期", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    replaces = models.OneToOneField(
        "self", verbose_name="替代的交办", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="交办人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "交办"
        verbose_name_plural = "交办"
        ordering = ["id"]
        # The open states (lifecycles.assignment.OPEN, which imports this module: tests/suggestions check the two
        # agree) serve two partial indexes: a unit's inbox (and home panel) in due-date order, and the flagged ones
        # (the staff list's 临期/超期 filter, the staff home panel's most overdue first).
        indexes = [
            models.Index(fields=["state", "due_date"]),
            models.Index(fields=["unit", "state"]),
            models.Index(
                fields=["unit", "due_date", "id"],
                condition=models.Q(state__in=["assigned", "rehandling", "signed"]),
                name="assignment_open_by_due",
            ),
            models.Index(
                fields=["flag", "due_date", "suggestion"],
                condition=models.Q(state__in=["assigned", "rehandling", "signed"], flag__in=["red", "yellow"]),
                name="assignment_open_flagged",
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.get_role_display()}"

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = new_code("A", 8)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        from .lifecycles.assignment import OPEN

        return self.state in OPEN

    @property
    def answers_suggestion(self) -> bool:
        return self.role in (self.Role.LEAD, self.Role.SPLIT)


class Consultation(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", "座谈会商"
        VISIT = "visit", "登门走访"
        PHONE = "phone", "电话沟通"

    assignment = models.ForeignKey(
        Assignment, verbose_name="交办", on_delete=models.CASCADE, related_name="consultations"
    )
    kind = models.CharField("面商方式", max_length=8, choices=Kind.choices)
    held_on = models.DateField("面商日期")
    notes = models.TextField("面商情况")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "面商记录"
        verbose_name_plural = "面商记录"
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on}"


class Progress(models.Model):
    assignment = models.ForeignKey(Assignment, verbose_name="交办", on_delete=models.CASCADE, related_name="progress")
    text = models.TextField("办理进展")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "办理进展"
        verbose_name_plural = "办理进展"
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:40]


class CoHandlerOpinion(models.Model):
    assignment = models.OneToOneField(
        Assignment, verbose_name="协办交办", on_delete=models.CASCADE, related_name="cohandler_opinion"
    )
    text = models.TextField("协办意见")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "协办意见"
        verbose_name_plural = "协办意见"

    def __str__(self):
        return self.text[:40]


class ExtensionRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"

    assignment = models.ForeignKey(
        Assignment, verbose_name="交办", on_delete=models.CASCADE, related_name="extension_requests"
    )
    months = models.PositiveSmallIntegerField("申请延期（月）")
    reason = models.TextField("延期理由")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    decision_note = models.TextField("审批意见", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"延期 {self.months} 个月 · {self.get_state_display()}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING


class Answer(models.Model):
    CLASS_LABELS = {
        "A": "A类（已解决或基本解决）",
        "B": "B类（正在解决或列入计划解决）",
        "C": "C类（因条件限制待以后解决）",
        "D": "D类（留作参考）",
    }
    assignment = models.ForeignKey(Assignment, verbose_name="交办", on_delete=models.CASCADE, related_name="answers")
    suggestion = models.ForeignKey(Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="answers")
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    answer_class = models.CharField("答复类别", max_length=1)
    text = models.TextField("答复内容")
    signer = models.CharField("签发人", max_length=50)
    attachment = models.FileField("答复附件", upload_to="answers/%Y/%m/", blank=True)
    on_time = models.BooleanField("按期答复", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="答复人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("答复时间")

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.answer_class} 类答复"

    @property
    def class_label(self) -> str:
        return self.CLASS_LABELS.get(self.answer_class, self.answer_class)


class Commitment(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "推进中"
        DONE = "done", "已兑现"
        MISSED = "missed", "逾期未兑现"

    code = models.CharField("承诺编号", max_length=16, unique=True, default=None)
    answer = models.ForeignKey(Answer, verbose_name="答复", on_delete=models.CASCADE, related_name="commitments")
    suggestion = models.ForeignKey(
        Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="commitments"
    )
    due_date = models.DateField("承诺完成日期")
    text = models.CharField("承诺事项", max_length=300)
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.OPEN, db_index=True)
    done_note = models.TextField("兑现情况", blank=True)
    done_at = models.DateTimeField("兑现时间", null=True, blank=True)

    class Meta:
        verbose_name = "答复承诺"
        verbose_name_plural = "答复承诺"
        ordering = ["due_date", "id"]

    def __str__(self):
        return f"{self.due_date} {self.text}"

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = new_code("C", 8)
        super().save(*args, **kwargs)


class Evaluation(models.Model):
    class Rating(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASIC = "basic", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    suggestion = models.ForeignKey(
        Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="evaluations"
    )
    deputy = models.ForeignKey("org.Deputy", verbose_name="测评代表", on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField("办理轮次")
    process = models.CharField("办理过程", max_length=12, choices=Rating.choices)
    result = models.CharField("办理结果", max_length=12, choices=Rating.choices)
    source = models.CharField("测评方式", max_length=8, choices=EvaluationSource.choices, default="online")
    comment = models.TextField("意见", blank=True)
    created_at = models.DateTimeField("测评时间", auto_now_add=True)

    class Meta:
        verbose_name = "测评"
        verbose_name_plural = "测评"
        ordering = ["round", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "deputy", "round"], name="evaluation_once_per_round")
        ]

    def __str__(self):
        return f"{self.get_process_display()}/{self.get_result_display()}"
