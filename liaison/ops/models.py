"""Operations: the background worker's heartbeat (what /readyz reads to know the worker is alive)."""

from django.db import models


class Heartbeat(models.Model):
    """One row per long-running process kind ("worker"), touched on every iteration."""

    name = models.CharField("进程", max_length=40, unique=True)
    beat_at = models.DateTimeField("最近心跳")
    host = models.CharField("主机", max_length=100, blank=True)

    class Meta:
        verbose_name = "进程心跳"
        verbose_name_plural = "进程心跳"

    def __str__(self):
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
