"""Stored results of the slow insight computations (hot topics, clusters), written by the worker."""

from django.db import models
from django.utils import timezone


class TopicSnapshot(models.Model):
    class Kind(models.TextChoices):
        TOPICS = "topics", "热点话题"
        CLUSTERS = "clusters", "跨村综合比选"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    region = models.ForeignKey("org.Region", verbose_name="地区", on_delete=models.CASCADE, related_name="+")
    start = models.DateField("起始月份")
    months = models.PositiveSmallIntegerField("月数", default=1)
    source = models.CharField("数据标记", max_length=200, help_text="计算时该范围意见的最大编号、条数和状态分布")
    computed_at = models.DateTimeField("计算时间")
    payload = models.JSONField("结果", default=list)

    class Meta:
        verbose_name = "分析快照"
        verbose_name_plural = "分析快照"
        constraints = [
            models.UniqueConstraint(fields=["kind", "region", "start", "months"], name="topic_snapshot_unique"),
        ]

    def __str__(self):
        return f"{self.kind} {self.region_id} {self.start:%Y-%m}+{self.months}"

    @property
    def age_minutes(self) -> int:
        return max(0, int((timezone.now() - self.computed_at).total_seconds() // 60))
