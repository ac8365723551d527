"""The one event log: audit trail, timelines, residents' progress pages. Rows are never edited.

Events are chained per subject (see chain.py): a sequence number, the previous event's hash and a keyed
hash over every stored field. Appends to one subject serialise on its ChainHead row (locked for the
append), so concurrent writers can neither fork a chain nor reuse a sequence number; the unique
(subject, seq) constraint is the backstop. Anchors are signed checkpoints of every chain's head, so a
deleted tail — or a whole deleted chain — shows up in `manage.py verify_audit`.
"""

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
        # PROTECT: the actor's id is part of the sealed event; users are deactivated, never deleted.
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作人", max_length=80, blank=True)
    at = models.DateTimeField("时间", db_index=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    public = models.BooleanField("对群众可见", default=False)
    seq = models.PositiveIntegerField("序号", default=0)
    key_id = models.CharField(max_length=16, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "事件"
        verbose_name_plural = "事件"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"])]
        constraints = [models.UniqueConstraint(fields=["subject_type", "subject_id", "seq"], name="event_seq_unique")]

    def __str__(self):
        return f"{self.subject_type}:{self.subject_id} {self.action}"


class ChainHead(models.Model):
    """The latest (seq, hash) of one subject's chain; its row is the lock every append takes."""

    subject_type = models.CharField(max_length=30)
    subject_id = models.CharField(max_length=40)
    seq = models.PositiveIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)
    # Set by every append, cleared by the anchor that records this head.
    unanchored = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject_type", "subject_id"], name="chainhead_subject_unique")]
        indexes = [
            models.Index(fields=["unanchored"], condition=models.Q(unanchored=True), name="chainhead_unanchored_idx")
        ]

    def __str__(self):
        return f"{self.subject_type}:{self.subject_id} #{self.seq}"


class Anchor(models.Model):
    """A signed checkpoint: the heads of every chain that changed since the previous anchor.

    Anchors form their own chain (each signs the previous signature), and each can be exported off-site
    (`anchor_audit --export FILE`), so deleting events, chains or recent anchors is detectable.
    """

    at = models.DateTimeField("时间")
    last_event_id = models.BigIntegerField(default=0)
    events = models.BigIntegerField("事件总数", default=0)
    chains = models.BigIntegerField("链总数", default=0)
    heads = models.JSONField(default=dict)
    prev_signature = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计锚点"
        verbose_name_plural = "审计锚点"
        ordering = ["id"]

    def __str__(self):
        return f"锚点 #{self.pk}"
