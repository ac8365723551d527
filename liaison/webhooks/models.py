"""Signed webhooks: an administrator registers a URL and the event kinds it wants; deliveries are an outbox.

A delivery row is written in the same transaction as the event it carries (liaison.events.services.record_event
calls `queue_deliveries`), so an event that happened is never missed and one that was rolled back is never sent.
The worker sends them (`manage.py deliver_webhooks`), retrying with exponential back-off.
"""

import secrets

from django.db import models


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Webhook(models.Model):
    name = models.CharField("名称", max_length=100)
    url = models.URLField("接收地址", max_length=500, help_text="收到后请以 2xx 状态码应答；超时 10 秒")
    kinds = models.CharField(
        "事件类型",
        max_length=500,
        default="*",
        help_text="逗号分隔，形如 对象.动作，可用 *：例如 suggestion.*, opinion.close；* 为全部",
    )
    public_only = models.BooleanField("只推送对群众公开的事件", default=False)
    secret = models.CharField(
        "签名密钥",
        max_length=80,
        default=new_secret,
        help_text="接收方用它验证 X-Liaison-Signature：HMAC-SHA256(密钥, 时间戳 + '.' + 请求体)",
    )
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "Webhook 推送"
        verbose_name_plural = "Webhook 推送"
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        DELIVERED = "delivered", "已送达"
        FAILED = "failed", "已放弃"

    webhook = models.ForeignKey(Webhook, verbose_name="推送", on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.BigIntegerField("事件号")
    kind = models.CharField("事件类型", max_length=80)
    payload = models.JSONField("内容")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    last_status = models.PositiveSmallIntegerField("最后应答状态码", null=True, blank=True)
    last_error = models.TextField("最后错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "推送记录"
        verbose_name_plural = "推送记录"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["webhook", "event_id"], name="webhook_delivery_once")]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="webhook_delivery_due", condition=models.Q(status="pending"))
        ]

    def __str__(self):
        return f"{self.webhook} · {self.kind} #{self.event_id}"
