"""The one event log: audit trail, timelines, residents' progress pages. Rows are never edited.

Events are hash-chained per subject (each row hashes its content plus the previous row of the same
subject). The chain is per subject because the subject's row is locked by the transition's conditional
UPDATE in the same transaction, which serialises appends without a global lock.
"""

import hashlib
import json

from django.conf import settings
from django.db import models


class Event(models.Model):
    subject_type = models.CharField("对象类型", max_length=30)
    subject_id = models.CharField("对象编号", max_length=40)
    action = models.CharField("动作", max_length=40)
    from_state = models.CharField("原状态", max_length=30, blank=True)
    to_state = models.CharField("新状态", max_length=30, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField("操作人", max_length=80, blank=True)
    at = models.DateTimeField("时间", db_index=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    public = models.BooleanField("对群众可见", default=False)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "事件"
        verbose_name_plural = "事件"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"])]

    def __str__(self):
        return f"{self.subject_type}:{self.subject_id} {self.action}"

    def compute_hash(self) -> str:
        body = json.dumps(
            [
                self.prev_hash,
                self.subject_type,
                self.subject_id,
                self.action,
                self.from_state,
                self.to_state,
                self.actor_id,
                self.at.isoformat(),
                self.note,
                self.data,
            ],
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(body.encode()).hexdigest()
