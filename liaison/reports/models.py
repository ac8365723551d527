"""Reports: monthly rollups (what dashboards read), the refresh watermark, bulletins and scoring weights."""

from decimal import Decimal

from django.db import models
from django.utils import timezone

# Integer columns of a rollup row (sums over its items). Opinion columns are filled on rows with level "" and
# body NULL; suggestion columns on rows carrying the suggestion's level and body; decisions on opinion rows
# keyed by the meeting's month.
OPINION_COLUMNS = [
    "op_received",
    "op_visit",
    "op_reception",
    "op_qr",
    "op_phone",
    "op_letter",
    "op_in_person",
    "op_concluded",
    "op_reported_back",
]
DECISION_COLUMNS = ["dec_village", "dec_refer", "dec_suggestion", "dec_duplicate", "dec_not_feasible"]
SUGGESTION_COLUMNS = [
    "sg_raised",
    "sg_accepted",
    "sg_answered",
    "sg_closed",
    "sg_on_time",
    "sg_evaluated",
    "sg_satisfied",
    "sg_first_satisfied",
    "sg_class_a",
    "sg_consulted",
    "sg_days_sum",
    "sg_days_n",
]
COLUMNS = OPINION_COLUMNS + DECISION_COLUMNS + SUGGESTION_COLUMNS


class MonthlyRollup(models.Model):
    """One month × region (village) × station × category × deputy level × body, with counts and rate parts.

    The unit of recomputation is (month, region): every source row belongs to exactly one such cell
    (opinions by registration month and station village, suggestions by submission month and region,
    meeting decisions by the meeting's month and station village).
    """

    month = models.DateField("月份", db_index=True)
    region = models.ForeignKey("org.Region", verbose_name="村/社区", on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField("区划路径", max_length=200)
    county = models.ForeignKey(
        "org.Region", verbose_name="县/区", null=True, on_delete=models.CASCADE, related_name="+"
    )
    township = models.ForeignKey(
        "org.Region", verbose_name="乡镇/街道", null=True, on_delete=models.CASCADE, related_name="+"
    )
    station = models.ForeignKey(
        "org.Station", verbose_name="联络站", null=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "org.Category", verbose_name="分类", null=True, on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField("代表层级", max_length=12, blank=True)
    body = models.ForeignKey("org.Body", verbose_name="受理机关", null=True, on_delete=models.CASCADE, related_name="+")
    # Rate parts and counts (see COLUMNS).
    op_received = models.PositiveIntegerField(default=0)
    op_visit = models.PositiveIntegerField(default=0)
    op_reception = models.PositiveIntegerField(default=0)
    op_qr = models.PositiveIntegerField(default=0)
    op_phone = models.PositiveIntegerField(default=0)
    op_letter = models.PositiveIntegerField(default=0)
    op_in_person = models.PositiveIntegerField(default=0)
    op_concluded = models.PositiveIntegerField(default=0)
    op_reported_back = models.PositiveIntegerField(default=0)
    dec_village = models.PositiveIntegerField(default=0)
    dec_refer = models.PositiveIntegerField(default=0)
    dec_suggestion = models.PositiveIntegerField(default=0)
    dec_duplicate = models.PositiveIntegerField(default=0)
    dec_not_feasible = models.PositiveIntegerField(default=0)
    sg_raised = models.PositiveIntegerField(default=0)
    sg_accepted = models.PositiveIntegerField(default=0)
    sg_answered = models.PositiveIntegerField(default=0)
    sg_closed = models.PositiveIntegerField(default=0)
    sg_on_time = models.PositiveIntegerField(default=0)
    sg_evaluated = models.PositiveIntegerField(default=0)
    sg_satisfied = models.PositiveIntegerField(default=0)
    sg_first_satisfied = models.PositiveIntegerField(default=0)
    sg_class_a = models.PositiveIntegerField(default=0)
    sg_consulted = models.PositiveIntegerField(default=0)
    sg_days_sum = models.BigIntegerField(default=0)
    sg_days_n = models.PositiveIntegerField(default=0)
    # Days from assignment to first answer, {days: count}: exact percentiles when merged across rows.
    days_hist = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "月度统计汇总"
        verbose_name_plural = "月度统计汇总"
        indexes = [
            models.Index(fields=["region_path", "month"], name="rollup_path_month"),
            models.Index(fields=["county", "month"], name="rollup_county_month"),
            models.Index(fields=["station", "month"], name="rollup_station_month"),
            models.Index(fields=["month", "region"], name="rollup_month_region"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.region_id}"

    def key(self) -> tuple:
        return (self.month, self.region_id, self.station_id, self.category_id, self.level, self.body_id)


class StationMonthTotal(models.Model):
    """MonthlyRollup summed over category, level and body: one row per month × village × station.

    Dashboards without a category/level/body filter read these (a county-year is ~2,000 rows, the city
    ~7,500), so their speed does not depend on how many categories or bodies there are."""

    month = models.DateField("月份")
    region = models.ForeignKey("org.Region", verbose_name="村/社区", on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField("区划路径", max_length=200)
    county = models.ForeignKey("org.Region", null=True, on_delete=models.CASCADE, related_name="+")
    township = models.ForeignKey("org.Region", null=True, on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey("org.Station", null=True, on_delete=models.CASCADE, related_name="+")
    days_hist = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "月度联络站合计"
        verbose_name_plural = "月度联络站合计"
        indexes = [
            models.Index(fields=["region_path", "month"], name="total_path_month"),
            models.Index(fields=["station", "month"], name="total_station_month"),
            models.Index(fields=["month", "region"], name="total_month_region"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.region_id}/{self.station_id}"


class RegionMonthTotal(models.Model):
    """MonthlyRollup summed per month × region × category, for every city, county and township above the rows
    (a row counts in each of them, as `region_path__startswith` would count it).

    What region dashboards read: a county's or the city's year is ~13 rows a month whatever the data's size, so
    one query gives a page its headline figures, the previous period, the monthly series and the category table.
    Built set-based by liaison/reports/rollup_sql.py from MonthlyRollup."""

    month = models.DateField("月份")
    region = models.ForeignKey("org.Region", verbose_name="地区", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        "org.Category", verbose_name="分类", null=True, on_delete=models.CASCADE, related_name="+"
    )
    days_hist = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "月度地区合计"
        verbose_name_plural = "月度地区合计"
        indexes = [models.Index(fields=["region", "month"], name="region_total_region_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.region_id}/{self.category_id}"


for _column in COLUMNS:
    StationMonthTotal.add_to_class(_column, models.BigIntegerField(default=0))
    RegionMonthTotal.add_to_class(_column, models.BigIntegerField(default=0))


class RollupState(models.Model):
    """Singleton: the Event id up to which rollups are current."""

    last_event_id = models.BigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "汇总进度"
        verbose_name_plural = "汇总进度"

    def __str__(self):
        return f"事件 #{self.last_event_id}"


class ScoringWeights(models.Model):
    """Admin-configurable weights of the deputy performance record and the station assessment (one row)."""

    visit = models.DecimalField("走访（每次）", max_digits=5, decimal_places=2, default=2)
    opinion = models.DecimalField("收集社情民意（每条）", max_digits=5, decimal_places=2, default=1)
    suggestion_led = models.DecimalField("领衔建议（每件）", max_digits=5, decimal_places=2, default=5)
    suggestion_cosigned = models.DecimalField("附议建议（每件）", max_digits=5, decimal_places=2, default=2)
    meeting = models.DecimalField("出席会商（每次）", max_digits=5, decimal_places=2, default=2)
    reception_day = models.DecimalField("坐堂接待日（每天）", max_digits=5, decimal_places=2, default=2)
    mediation = models.DecimalField("矛盾纠纷化解（每件）", max_digits=5, decimal_places=2, default=3)
    resolved = models.DecimalField("所提建议办结（每件）", max_digits=5, decimal_places=2, default=2)
    satisfied = models.DecimalField("所提建议测评满意（每件）", max_digits=5, decimal_places=2, default=1)
    # Station assessment: weights of the four parts of the score (0–100 each).
    station_activity = models.DecimalField("联络站：活跃度权重", max_digits=5, decimal_places=2, default=25)
    station_loop = models.DecimalField("联络站：反馈率权重", max_digits=5, decimal_places=2, default=25)
    station_timeliness = models.DecimalField("联络站：按期答复率权重", max_digits=5, decimal_places=2, default=25)
    station_satisfaction = models.DecimalField("联络站：满意率权重", max_digits=5, decimal_places=2, default=25)
    star_thresholds = models.CharField(
        "星级分数线",
        max_length=40,
        default="90,80,70,60",
        help_text="五、四、三、二星的最低得分，逗号分隔；低于最后一档为一星",
    )
    shortlist_min_satisfaction = models.DecimalField(
        "推荐名单：满意率下限（%）", max_digits=5, decimal_places=2, default=90
    )
    shortlist_size = models.PositiveSmallIntegerField("推荐名单：每类名额", default=10)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "履职积分权重"
        verbose_name_plural = "履职积分权重"

    def __str__(self):
        return "履职积分与联络站考评权重"

    @classmethod
    def current(cls) -> "ScoringWeights":
        return cls.objects.order_by("pk").first() or cls()

    def stars(self, score: float) -> int:
        try:
            lines = [float(x) for x in self.star_thresholds.replace("，", ",").split(",") if x.strip()]
        except ValueError:
            lines = [90, 80, 70, 60]
        for i, line in enumerate(lines[:4]):
            if score >= line:
                return 5 - i
        return 1


class UnitScoringWeights(models.Model):
    """Admin-configurable weights of the handling units' year-end scoring (承办单位办理工作考核; one row;
    liaison/reports/unit_scoring.py): the four rates' weights, and the deductions."""

    on_time = models.DecimalField("按期答复率权重", max_digits=5, decimal_places=2, default=30)
    consult = models.DecimalField("面商率权重", max_digits=5, decimal_places=2, default=20)
    first_satisfaction = models.DecimalField("初次满意率权重", max_digits=5, decimal_places=2, default=20)
    satisfaction = models.DecimalField("最终满意率权重", max_digits=5, decimal_places=2, default=30)
    rehandle_penalty = models.DecimalField("重新办理（每件扣分）", max_digits=5, decimal_places=2, default=2)
    return_penalty = models.DecimalField("退回（每件扣分）", max_digits=5, decimal_places=2, default=1)
    overdue_day_penalty = models.DecimalField(
        "超期（每天扣分）", max_digits=5, decimal_places=2, default=Decimal("0.10")
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "承办单位考核权重"
        verbose_name_plural = "承办单位考核权重"

    def __str__(self):
        return "承办单位办理工作考核权重"

    @classmethod
    def current(cls) -> "UnitScoringWeights":
        return cls.objects.order_by("pk").first() or cls()


def bulletin_path(instance, filename):
    return f"bulletins/{instance.month:%Y-%m}/{filename}"


class Bulletin(models.Model):
    """月度通报 of one scope (county, township or station) for one month, generated once and kept."""

    class Kind(models.TextChoices):
        CITY = "city", "市"
        COUNTY = "county", "县/区"
        TOWNSHIP = "township", "乡镇/街道"
        STATION = "station", "联络站"

    kind = models.CharField("范围", max_length=10, choices=Kind.choices)
    region = models.ForeignKey(
        "org.Region", verbose_name="地区", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    station = models.ForeignKey(
        "org.Station", verbose_name="联络站", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField("月份")
    title = models.CharField("标题", max_length=120)
    figures = models.JSONField("数据", default=dict)
    docx = models.FileField("Word 文件", upload_to=bulletin_path)
    xlsx = models.FileField("Excel 文件", upload_to=bulletin_path)
    generated_at = models.DateTimeField("生成时间", default=timezone.now)

    class Meta:
        verbose_name = "月度通报"
        verbose_name_plural = "月度通报"
        ordering = ["-month", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="bulletin_region_month"),
            models.UniqueConstraint(fields=["station", "month"], name="bulletin_station_month"),
        ]

    def __str__(self):
        return self.title
