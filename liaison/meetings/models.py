"""会商共议: the station's monthly consultation — agenda, attendance, one decision per opinion, minutes."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Meeting(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "进行中"
        CLOSED = "closed", "已结束"

    code = models.CharField("会议编号", max_length=16, unique=True)
    station = models.ForeignKey("org.Station", verbose_name="联络站", on_delete=models.PROTECT, related_name="meetings")
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    held_at = models.DateTimeField("会商时间")
    place = models.CharField("地点", max_length=120)
    chair = models.CharField("主持人", max_length=50)
    note = models.TextField("会议纪要补充", blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="召集人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    minutes = models.FileField("会议纪要", upload_to="minutes/%Y/", blank=True)

    class Meta:
        verbose_name = "月度会商"
        verbose_name_plural = "月度会商"
        ordering = ["-year", "-month", "station_id"]
        constraints = [
            models.UniqueConstraint(fields=["station", "year", "month"], name="meeting_one_per_station_month")
        ]

    def __str__(self):
        return f"{self.station} {self.year}年{self.month}月会商"

    @property
    def title(self) -> str:
        return f"{self.station.name}{self.year}年{self.month}月会商共议"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name="会商", on_delete=models.CASCADE, related_name="attendances")
    deputy = models.ForeignKey("org.Deputy", verbose_name="代表", on_delete=models.PROTECT, related_name="attendances")
    present = models.BooleanField("出席", default=True)

    class Meta:
        verbose_name = "出席"
        verbose_name_plural = "出席"
        constraints = [models.UniqueConstraint(fields=["meeting", "deputy"], name="attendance_unique")]

    def __str__(self):
        return f"{self.deputy_id} {'出席' if self.present else '缺席'}"


class AgendaItem(models.Model):
    class Decision(models.TextChoices):
        VILLAGE = "village", "村级办理"
        REFER = "refer", "转办乡镇/部门（民情直通车）"
        SUGGESTION = "suggestion", "形成代表建议"
        DUPLICATE = "duplicate", "重复合并"
        NOT_FEASIBLE = "not_feasible", "暂不可行"

    meeting = models.ForeignKey(Meeting, verbose_name="会商", on_delete=models.CASCADE, related_name="items")
    opinion = models.ForeignKey(
        "opinions.Opinion", verbose_name="社情民意", on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveIntegerField("序号", default=0)
    decision = models.CharField("决定", max_length=14, choices=Decision.choices, blank=True)
    decision_note = models.TextField("决定说明", blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "议题"
        verbose_name_plural = "议题"
        ordering = ["meeting", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "opinion"], name="agenda_item_unique")]

    def __str__(self):
        return f"{self.meeting} #{self.position}"
