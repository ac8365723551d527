"""The loop's paper trail kept beside the answers (models.py imports these; they name other models by string).

- `ReplyLetterScan`: the signed, sealed scan of a 答复函 the unit printed from the generated letter
  (letters.py), uploaded through `liaison.lib.uploads.clean_attachment` (PDF or JPG), one per answer; a new
  upload replaces the previous one (the event log keeps that it happened).
- `EvaluationSource`: how an evaluation reached the system — online by the deputy, or from the returned paper
  代表建议办理情况征求意见表 entered by staff on the deputy's behalf (feedback_form.py; services/evaluation.py).
"""

from django.conf import settings
from django.db import models


class EvaluationSource(models.TextChoices):
    ONLINE = "online", "网上测评"
    PAPER = "paper", "纸质征求意见表"


# What a scan may be (of the attachment allow-list): a PDF or a photo.
SCAN_KINDS = ("pdf", "jpg")


class ReplyLetterScan(models.Model):
    answer = models.OneToOneField(
        "suggestions.Answer", verbose_name="答复", on_delete=models.CASCADE, related_name="reply_scan"
    )
    file = models.FileField("盖章答复函扫描件", upload_to="answers/scans/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "答复函扫描件"
        verbose_name_plural = "答复函扫描件"

    def __str__(self):
        return f"答复函扫描件 #{self.answer_id}"
