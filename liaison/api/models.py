"""API credentials and the idempotency records of authenticated writes (see tokens.py and idempotency.py).

- `ApiToken`: a personal token (a user's own, made on /accounts/tokens/) or an integration key (made by an
  administrator, acting as its own service user). Only a SHA-256 digest of the token is kept; the short public
  `prefix` inside the token finds the row. The secret is shown once, when it is made.
- `IdempotentRequest`: the answer given to one (user, endpoint, Idempotency-Key), replayed for a retry.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at__isnull=True)


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", "个人令牌"
        INTEGRATION = "integration", "集成密钥"

    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.PERSONAL)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="所属用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=60)
    prefix = models.CharField("编号", max_length=16, unique=True, editable=False)
    digest = models.CharField("令牌摘要", max_length=64, editable=False)
    # Integration keys: the region their service user is staff of, and the endpoints they may call.
    region = models.ForeignKey(
        "org.Region", verbose_name="地区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    endpoints = models.JSONField("可调用的接口", default=list, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "个人令牌"
        verbose_name_plural = "个人令牌"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "kind"], name="apitoken_user_kind")]

    def __str__(self):
        return f"{self.name}（{self.prefix}）"

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "已撤销"
        if self.expires_at and self.expires_at <= timezone.now():
            return "已过期"
        return "有效"


class IntegrationKeyManager(models.Manager.from_queryset(ApiTokenQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind=ApiToken.Kind.INTEGRATION)


class IntegrationKey(ApiToken):
    """The admin's view of the integration keys (same table, kind = integration)."""

    objects = IntegrationKeyManager()

    class Meta:
        proxy = True
        verbose_name = "集成密钥"
        verbose_name_plural = "集成密钥"


class IdempotentRequest(models.Model):
    """One authenticated write and its answer. Query passwords in the answer are not stored (idempotency.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField("接口", max_length=60)
    key = models.CharField("Idempotency-Key", max_length=64)
    fingerprint = models.CharField("请求摘要", max_length=64)
    status = models.PositiveSmallIntegerField("状态码")
    body = models.JSONField("应答")
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "幂等请求"
        verbose_name_plural = "幂等请求"
        constraints = [models.UniqueConstraint(fields=["user", "endpoint", "key"], name="idempotent_user_endpoint_key")]

    def __str__(self):
        return f"{self.endpoint} {self.key}"
