"""The logs 等保 2.0 (安全审计) and 个人信息保护法 ask for, and the password history of the password policy.

Rows are written by the code only (login signals, the reasoned reveal of a resident's contacts, password
changes) and shown read-only in the admin; nothing in the product edits or deletes them. They are plain rows,
not hash-chained like the event log: their integrity rests on database privileges and on the copy each row
also writes to the `liaison.audit` logger (ship it to the central log server). See docs/SECURITY.md.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords (validators.PasswordHistoryValidator): no reuse of the last N."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField("密码散列", max_length=200)
    at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="pwhistory_user_at")]

    def __str__(self):
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M}"


class LoginRecord(models.Model):
    """登录日志: every sign-in, failed sign-in and sign-out (timeouts included)."""

    class Kind(models.TextChoices):
        SUCCESS = "success", "登录成功"
        FAILURE = "failure", "登录失败"
        LOGOUT = "logout", "退出登录"
        TIMEOUT = "timeout", "超时退出"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    username = models.CharField("用户名", max_length=150, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.CharField("访问地址", max_length=45, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "登录日志"
        verbose_name_plural = "登录日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["username", "-at"], name="login_username_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_kind_display()}"


class PersonalDataAccess(models.Model):
    """个人信息访问日志: who saw which record's personal data unmasked, which fields, why, when, from where."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="查看人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField("查看人", max_length=150)
    subject_type = models.CharField("对象类型", max_length=30)
    subject_code = models.CharField("对象编号", max_length=200)
    fields = models.CharField("查看字段", max_length=200)
    reason = models.CharField("查看理由", max_length=200)
    address = models.CharField("访问地址", max_length=45, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "个人信息访问日志"
        verbose_name_plural = "个人信息访问日志"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_code"], name="pdaccess_subject")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.subject_code}"
