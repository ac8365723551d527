"""Organisation model: regions, stations, deputies and their mandates, bodies, handling units, users and roles."""

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from liaison.lib.codes import new_code
from liaison.lib.masking import mask_phone


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    # Set when an administrator creates the account or sets its password (liaison/org/admin.py); until the user
    # changes it, liaison.security.middleware sends them to the password-change page. Accounts made by code
    # (createsuperuser, the demo, tests) start without it.
    must_change_password = models.BooleanField("须修改初始密码", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username


class Region(models.Model):
    """One node of the division tree 市 → 县/区 → 乡镇/街道 → 村/社区. `path` makes subtree queries one index scan."""

    class Level(models.TextChoices):
        CITY = "city", "市"
        COUNTY = "county", "县/区"
        TOWNSHIP = "township", "乡镇/街道"
        VILLAGE = "village", "村/社区"

    code = models.CharField("区划代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=200, db_index=True, editable=False)
    population = models.PositiveIntegerField("常住人口", null=True, blank=True)

    class Meta:
        verbose_name = "行政区域"
        verbose_name_plural = "行政区域"
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "") + self.code + "/"
        super().save(*args, **kwargs)

    def ancestor_of_level(self, level: str) -> "Region | None":
        node = self
        while node is not None and node.level != level:
            node = node.parent
        return node

    def congress_region(self, mandate_level: str) -> "Region | None":
        """The region whose congress a deputy of `mandate_level` living here belongs to.

        Township and county deputies: the township / county above; city, provincial and national deputies
        stationed here: the city, whose standing committee office collects their suggestions.
        """
        want = {"township": self.Level.TOWNSHIP, "county": self.Level.COUNTY}.get(mandate_level, self.Level.CITY)
        return self.ancestor_of_level(want)


class Category(models.Model):
    name = models.CharField("名称", max_length=40)
    parent = models.ForeignKey(
        "self", verbose_name="上级分类", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "分类"
        verbose_name_plural = "分类"
        ordering = ["sort", "id"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name")]

    def __str__(self):
        return self.name


class Station(models.Model):
    """A liaison station (联络站): one village, or a joint station of 2–3 villages of one township."""

    code = models.CharField("站点编码", max_length=24, unique=True)
    name = models.CharField("名称", max_length=80)
    region = models.ForeignKey(Region, verbose_name="所在村/社区", on_delete=models.PROTECT, related_name="stations")
    villages = models.ManyToManyField(Region, verbose_name="覆盖村/社区", related_name="covering_stations", blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    reception_day = models.PositiveSmallIntegerField(
        "每月接待日",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="每月固定接待日（1–28 日），例如每月 20 日",
    )
    head_name = models.CharField("站长", max_length=50, blank=True)
    officer_name = models.CharField("联络员", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    # WGS-84 decimal degrees of the station's door: Open311 requests with only lat/long go to the nearest one.
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "联络站"
        verbose_name_plural = "联络站"
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def reception_rule(self) -> str:
        return f"每月 {self.reception_day} 日" if self.reception_day else "未设定"


class Level(models.TextChoices):
    """Five levels of people's congress deputies (五级人大代表)."""

    NATIONAL = "national", "全国"
    PROVINCIAL = "provincial", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇级"


class Deputy(models.Model):
    code = models.CharField("代表编号", max_length=16, unique=True, default=None)
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=2, choices=[("男", "男"), ("女", "女")], blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    expertise = models.CharField("专长标签", max_length=200, blank=True, help_text="以逗号分隔，如：田秀才,乡创客")
    home_region = models.ForeignKey(Region, verbose_name="所在地区", on_delete=models.PROTECT, related_name="deputies")
    user = models.OneToOneField(
        User, verbose_name="登录账号", null=True, blank=True, on_delete=models.SET_NULL, related_name="deputy"
    )
    is_active = models.BooleanField("在任", default=True)
    stations = models.ManyToManyField(Station, through="Stationing", related_name="deputies", verbose_name="进驻联络站")

    class Meta:
        verbose_name = "人大代表"
        verbose_name_plural = "人大代表"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = new_code("D", 7)
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def expertise_tags(self) -> list[str]:
        return [t.strip() for t in self.expertise.replace("，", ",").split(",") if t.strip()]


class Mandate(models.Model):
    """One level a deputy holds; a person may be a county and a township deputy at once."""

    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="mandates")
    level = models.CharField("层级", max_length=12, choices=Level.choices)
    region = models.ForeignKey(Region, verbose_name="所属人大", on_delete=models.PROTECT, related_name="mandates")
    term = models.CharField("届次", max_length=40, blank=True)
    electoral_unit = models.CharField("选区/选举单位", max_length=80, blank=True)

    class Meta:
        verbose_name = "代表职务"
        verbose_name_plural = "代表职务"
        constraints = [models.UniqueConstraint(fields=["deputy", "level"], name="mandate_one_per_level")]

    def __str__(self):
        return f"{self.deputy} · {self.get_level_display()}人大代表"


class Stationing(models.Model):
    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="stationings")
    station = models.ForeignKey(Station, verbose_name="联络站", on_delete=models.CASCADE, related_name="stationings")
    since = models.DateField("进站日期", null=True, blank=True)

    class Meta:
        verbose_name = "进站"
        verbose_name_plural = "进站"
        constraints = [models.UniqueConstraint(fields=["deputy", "station"], name="stationing_unique")]

    def __str__(self):
        return f"{self.deputy} @ {self.station}"


class Body(models.Model):
    """The congress body receiving suggestions, with its statutory limits (configurable per body)."""

    class Kind(models.TextChoices):
        TOWNSHIP_PRESIDIUM = "township_presidium", "乡镇人大主席团"
        COUNTY_SC = "county_sc", "县（区）人大常委会"
        CITY_SC = "city_sc", "市人大常委会"

    name = models.CharField("名称", max_length=80)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    region = models.OneToOneField(Region, verbose_name="地区", on_delete=models.PROTECT, related_name="body")
    assign_working_days = models.PositiveSmallIntegerField("交办时限（工作日）", default=5)
    return_working_days = models.PositiveSmallIntegerField("退回时限（工作日）", default=7)
    answer_months = models.PositiveSmallIntegerField("答复时限（月）", default=3)
    max_total_months = models.PositiveSmallIntegerField("含延期最长（月）", default=6)
    evaluation_working_days = models.PositiveSmallIntegerField("测评回执时限（工作日）", default=20)
    rehandle_months = models.PositiveSmallIntegerField("重新办理时限（月）", default=1)
    answer_classes = models.CharField("答复分类", max_length=8, default="ABCD", help_text="ABCD 或 ABC")

    class Meta:
        verbose_name = "人大机关"
        verbose_name_plural = "人大机关"

    def __str__(self):
        return self.name


class HandlingUnit(models.Model):
    """承办单位: a government department, township government or village committee."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "政府部门"
        TOWNSHIP = "township", "乡镇政府"
        VILLAGE_COMMITTEE = "village_committee", "村（居）委会"
        OTHER = "other", "其他单位"

    code = models.CharField("单位编码", max_length=24, unique=True)
    name = models.CharField("名称", max_length=80)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    region = models.ForeignKey(Region, verbose_name="地区", on_delete=models.PROTECT, related_name="units")
    categories = models.ManyToManyField(Category, verbose_name="常办分类", blank=True, related_name="units")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    DEPUTY = "deputy", "人大代表"
    LIAISON_OFFICER = "liaison_officer", "联络员"
    STATION_HEAD = "station_head", "站长"
    VILLAGE_COMMITTEE = "village_committee", "村两委"
    STAFF = "staff", "人大工作人员"
    UNIT = "unit", "承办单位"
    LEADER = "leader", "领导"
    ADMIN = "admin", "系统管理员"


# Which scope field each role needs: a region subtree, a station, a handling unit, or a deputy record.
ROLE_SCOPE = {
    Role.DEPUTY: "deputy",
    Role.LIAISON_OFFICER: "station",
    Role.STATION_HEAD: "station",
    Role.VILLAGE_COMMITTEE: "region",
    Role.STAFF: "region",
    Role.UNIT: "unit",
    Role.LEADER: "region",
    Role.ADMIN: None,
}


class Membership(models.Model):
    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    region = models.ForeignKey(Region, verbose_name="地区", null=True, blank=True, on_delete=models.CASCADE)
    station = models.ForeignKey(Station, verbose_name="联络站", null=True, blank=True, on_delete=models.CASCADE)
    unit = models.ForeignKey(HandlingUnit, verbose_name="承办单位", null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"

    def __str__(self):
        where = self.station or self.unit or self.region or ""
        return f"{self.get_role_display()} {where}".strip()

    def clean(self):
        from django.core.exceptions import ValidationError

        need = ROLE_SCOPE.get(self.role)
        if need == "region" and not self.region_id:
            raise ValidationError({"region": "该角色需要指定地区"})
        if need == "station" and not self.station_id:
            raise ValidationError({"station": "该角色需要指定联络站"})
        if need == "unit" and not self.unit_id:
            raise ValidationError({"unit": "该角色需要指定承办单位"})
