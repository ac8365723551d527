from django.conf import settings
from django.db import models
from django.utils import timezone


class ExportJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "正在生成"
        DONE = "done", "已完成"
        FAILED = "failed", "生成失败"
        EXPIRED = "expired", "已过期"

    code = models.CharField("编号", max_length=32, unique=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name="申请人"
    )
    kind = models.CharField("导出内容", max_length=30)
    params = models.JSONField("筛选条件", default=dict, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    rows_done = models.PositiveIntegerField("已写行数", default=0)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    file = models.FileField("文件", upload_to="exports/", blank=True, max_length=200)
    filename = models.CharField("下载文件名", max_length=200)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间")

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requester", "created_at"]),
            models.Index(fields=["state", "expires_at"]),
        ]

    def __str__(self):
        return f"{self.code} {self.filename}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def ready(self) -> bool:
        return self.state == self.State.DONE and bool(self.file) and self.expires_at > timezone.now()
