"""Supervision's own records (models.py imports these; they name other models by string).

- `SupervisionNote`: a leader's or staff member's 督办意见 on a suggestion.
- `Reminder`: 催办 of an assignment, automatic (flags, missed commitments; `key` keeps them unique) or by hand.
"""

from django.conf import settings
from django.db import models


class SupervisionNote(models.Model):
    suggestion = models.ForeignKey(
        "suggestions.Suggestion", verbose_name="建议", on_delete=models.CASCADE, related_name="supervision_notes"
    )
    text = models.TextField("督办意见")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="督办人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "督办意见"
        verbose_name_plural = "督办意见"
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:40]


class Reminder(models.Model):
    """催办: automatic (yellow/red flags, missed commitments) or by staff/leaders. `key` keeps automatic ones unique."""

    class Kind(models.TextChoices):
        YELLOW = "yellow", "临期提醒"
        RED = "red", "超期催办"
        COMMITMENT = "commitment", "承诺逾期"
        MANUAL = "manual", "人工催办"

    assignment = models.ForeignKey(
        "suggestions.Assignment", verbose_name="交办", on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    note = models.CharField("内容", max_length=300, blank=True)
    key = models.CharField("去重键", max_length=120, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="催办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "催办"
        verbose_name_plural = "催办"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.note[:30]}"
