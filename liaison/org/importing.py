"""Bulk import/export of regions, stations, deputies and handling units as xlsx.

The export's columns are the import template's columns, so an exported file imports back unchanged.
Import validates every row first and reports errors by row and column in Chinese; if any row is bad,
nothing is imported (one transaction, applied only after a clean validation).
"""

from dataclasses import dataclass, field

from django.db import transaction

from liaison.lib.xlsx import read_rows

from .models import Category, Deputy, HandlingUnit, Level, Mandate, Region, Station, Stationing

LIST_SEP = ";"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace("；", LIST_SEP).replace(",", LIST_SEP).split(LIST_SEP) if v.strip()]


@dataclass
class RowError:
    row: int  # spreadsheet row number (header is row 1)
    column: str
    message: str

    def __str__(self):
        return f"第 {self.row} 行「{self.column}」：{self.message}"


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class Sheet:
    title = ""
    columns: list[tuple[str, bool, int]] = []  # (header, required, max length)
    example: list = []

    def headers(self) -> list[str]:
        return [c[0] for c in self.columns]

    def export_rows(self, qs, **options):
        raise NotImplementedError

    def check_row(self, values: dict, rownum: int, seen: dict, errors: list) -> None:
        """Cross-field checks for one row; append RowErrors."""

    def apply(self, rows: list[dict]) -> tuple[int, int]:
        raise NotImplementedError

    def validate(self, headers: list[str], data: list[tuple]) -> tuple[list[dict], list[RowError]]:
        errors: list[RowError] = []
        missing = [h for h in self.headers() if h not in headers]
        if missing:
            return [], [RowError(1, h, "缺少该列，请使用下载的模板") for h in missing]
        index = {h: headers.index(h) for h in self.headers()}
        rows, seen = [], {}
        for offset, raw in enumerate(data):
            rownum = offset + 2
            values = {}
            for header, required, max_len in self.columns:
                i = index[header]
                value = _text(raw[i] if i < len(raw) else None)
                if required and not value:
                    errors.append(RowError(rownum, header, "不能为空"))
                elif len(value) > max_len:
                    errors.append(RowError(rownum, header, f"长度不能超过 {max_len} 个字符"))
                values[header] = value
            self.check_row(values, rownum, seen, errors)
            rows.append(values)
        if not data:
            errors.append(RowError(2, self.headers()[0], "表格中没有数据行"))
        return rows, errors


def _dupe(values, key_header, rownum, seen, errors):
    key = values[key_header]
    if key and key in seen.setdefault("_keys", {}):
        errors.append(RowError(rownum, key_header, f"与第 {seen['_keys'][key]} 行重复"))
    elif key:
        seen["_keys"][key] = rownum


LEVEL_BY_LABEL = {label: value for value, label in Region.Level.choices}
MANDATE_BY_LABEL = {label: value for value, label in Level.choices}
UNIT_KIND_BY_LABEL = {label: value for value, label in HandlingUnit.Kind.choices}


class RegionSheet(Sheet):
    title = "行政区域"
    columns = [
        ("区划代码", True, 20),
        ("名称", True, 50),
        ("层级", True, 10),
        ("上级区划代码", False, 20),
        ("常住人口", False, 10),
    ]
    example = ["341722101201", "示例村", "村/社区", "341722101", "1200"]

    def export_rows(self, qs):
        for r in qs.select_related("parent").order_by("path").iterator(chunk_size=2000):
            yield [
                r.code,
                r.name,
                r.get_level_display(),
                r.parent.code if r.parent_id else "",
                str(r.population) if r.population is not None else "",
            ]

    def check_row(self, values, rownum, seen, errors):
        _dupe(values, "区划代码", rownum, seen, errors)
        if values["层级"] and values["层级"] not in LEVEL_BY_LABEL:
            errors.append(RowError(rownum, "层级", f"应为：{'、'.join(LEVEL_BY_LABEL)}"))
        if values["常住人口"] and not values["常住人口"].isdigit():
            errors.append(RowError(rownum, "常住人口", "应为非负整数"))
        seen.setdefault("parents", []).append((rownum, values["上级区划代码"]))

    def validate(self, headers, data):
        rows, errors = super().validate(headers, data)
        in_file = {r["区划代码"] for r in rows}
        parents = {p for _, p in [(0, r["上级区划代码"]) for r in rows] if p}
        existing = set(Region.objects.filter(code__in=parents).values_list("code", flat=True))
        for rownum, row in enumerate(rows, start=2):
            parent = row["上级区划代码"]
            if parent and parent not in in_file and parent not in existing:
                errors.append(RowError(rownum, "上级区划代码", f"找不到区划代码 {parent}"))
            if parent and parent == row["区划代码"]:
                errors.append(RowError(rownum, "上级区划代码", "不能是自身"))
        return rows, errors

    def apply(self, rows):
        created = updated = 0
        pending = list(rows)
        done: dict[str, Region] = {}
        while pending:
            progress = []
            for row in pending:
                parent_code = row["上级区划代码"]
                if parent_code and parent_code not in done and any(r["区划代码"] == parent_code for r in pending):
                    continue
                parent = done.get(parent_code) or (Region.objects.get(code=parent_code) if parent_code else None)
                region = Region.objects.filter(code=row["区划代码"]).first()
                is_new = region is None
                region = region or Region(code=row["区划代码"])
                region.name, region.level, region.parent = row["名称"], LEVEL_BY_LABEL[row["层级"]], parent
                region.population = int(row["常住人口"]) if row["常住人口"] else None
                region.save()
                done[region.code] = region
                created += is_new
                updated += not is_new
                progress.append(row)
            if not progress:
                raise ValueError("区划上下级存在循环")
            pending = [r for r in pending if r not in progress]
        return created, updated


class StationSheet(Sheet):
    title = "联络站"
    columns = [
        ("站点编码", True, 24),
        ("名称", True, 80),
        ("所在村/社区编码", True, 20),
        ("覆盖村/社区编码", False, 200),
        ("地址", False, 200),
        ("每月接待日", False, 2),
        ("站长", False, 50),
        ("联络员", False, 50),
        ("联系电话", False, 20),
    ]
    example = [
        "ST341722101201",
        "示例村人大代表联络站",
        "341722101201",
        "341722101201",
        "示例村村委会",
        "20",
        "张某",
        "李某",
        "0566-0000000",
    ]

    def export_rows(self, qs):
        for s in qs.select_related("region").prefetch_related("villages").order_by("code").iterator(chunk_size=2000):
            yield [
                s.code,
                s.name,
                s.region.code,
                LIST_SEP.join(sorted(v.code for v in s.villages.all())),
                s.address,
                str(s.reception_day or ""),
                s.head_name,
                s.officer_name,
                s.phone,
            ]

    def check_row(self, values, rownum, seen, errors):
        _dupe(values, "站点编码", rownum, seen, errors)
        day = values["每月接待日"]
        if day and (not day.isdigit() or not 1 <= int(day) <= 28):
            errors.append(RowError(rownum, "每月接待日", "应为 1–28 之间的整数"))

    def validate(self, headers, data):
        rows, errors = super().validate(headers, data)
        codes = {r["所在村/社区编码"] for r in rows} | {c for r in rows for c in _split(r["覆盖村/社区编码"])}
        known = set(Region.objects.filter(code__in=codes, level=Region.Level.VILLAGE).values_list("code", flat=True))
        for rownum, row in enumerate(rows, start=2):
            if row["所在村/社区编码"] and row["所在村/社区编码"] not in known:
                errors.append(RowError(rownum, "所在村/社区编码", f"找不到村/社区 {row['所在村/社区编码']}"))
            bad = [c for c in _split(row["覆盖村/社区编码"]) if c not in known]
            if bad:
                errors.append(RowError(rownum, "覆盖村/社区编码", f"找不到村/社区 {'、'.join(bad)}"))
        return rows, errors

    def apply(self, rows):
        created = updated = 0
        regions = {
            r.code: r
            for r in Region.objects.filter(
                code__in={c for row in rows for c in [row["所在村/社区编码"], *_split(row["覆盖村/社区编码"])]}
            )
        }
        for row in rows:
            station = Station.objects.filter(code=row["站点编码"]).first()
            is_new = station is None
            station = station or Station(code=row["站点编码"])
            station.name, station.region = row["名称"], regions[row["所在村/社区编码"]]
            station.address, station.head_name, station.officer_name = row["地址"], row["站长"], row["联络员"]
            station.reception_day = int(row["每月接待日"]) if row["每月接待日"] else None
            station.phone = row["联系电话"]
            station.save()
            station.villages.set([regions[c] for c in _split(row["覆盖村/社区编码"])] or [station.region])
            created += is_new
            updated += not is_new
        return created, updated


class DeputySheet(Sheet):
    title = "人大代表"
    columns = [
        ("代表编号", True, 16),
        ("姓名", True, 50),
        ("性别", False, 2),
        ("手机号", False, 20),
        ("专长标签", False, 200),
        ("所在地区编码", True, 20),
        ("代表层级", True, 40),
        ("届次", False, 40),
        ("选区", False, 80),
        ("进驻联络站编码", False, 300),
    ]
    example = [
        "D0000001",
        "王某某",
        "男",
        "13800000000",
        "田秀才",
        "341722101201",
        "县级;乡镇级",
        "第十八届",
        "第三选区",
        "ST341722101201",
    ]

    def export_rows(self, qs, *, mask_phones: bool = False, show_phone=None):
        """`show_phone(deputy)`, when given, decides per row (the viewer's right differs by region)."""
        qs = qs.select_related("home_region").prefetch_related("mandates", "stations").order_by("code")
        order = [v for v, _ in Level.choices]
        for d in qs.iterator(chunk_size=1000):
            mandates = sorted(d.mandates.all(), key=lambda m: order.index(m.level))
            first = mandates[0] if mandates else None
            masked = not show_phone(d) if show_phone else mask_phones
            phone = d.masked_phone if masked else d.phone
            yield [
                d.code,
                d.name,
                d.gender,
                phone,
                d.expertise,
                d.home_region.code,
                LIST_SEP.join(m.get_level_display() for m in mandates),
                first.term if first else "",
                first.electoral_unit if first else "",
                LIST_SEP.join(sorted(s.code for s in d.stations.all())),
            ]

    def check_row(self, values, rownum, seen, errors):
        _dupe(values, "代表编号", rownum, seen, errors)
        if values["性别"] and values["性别"] not in ("男", "女"):
            errors.append(RowError(rownum, "性别", "应为“男”或“女”"))
        phone = values["手机号"]
        if phone and not phone.replace("-", "").isdigit():
            errors.append(RowError(rownum, "手机号", "只能包含数字和“-”"))
        bad = [lv for lv in _split(values["代表层级"]) if lv not in MANDATE_BY_LABEL]
        if bad:
            errors.append(
                RowError(rownum, "代表层级", f"无法识别：{'、'.join(bad)}（应为 {'、'.join(MANDATE_BY_LABEL)}）")
            )

    def validate(self, headers, data):
        rows, errors = super().validate(headers, data)
        regions = {
            r.code: r
            for r in Region.objects.filter(code__in={r["所在地区编码"] for r in rows}).select_related(
                "parent__parent__parent"
            )
        }
        stations = set(
            Station.objects.filter(code__in={c for r in rows for c in _split(r["进驻联络站编码"])}).values_list(
                "code", flat=True
            )
        )
        for rownum, row in enumerate(rows, start=2):
            region = regions.get(row["所在地区编码"])
            if row["所在地区编码"] and region is None:
                errors.append(RowError(rownum, "所在地区编码", f"找不到地区 {row['所在地区编码']}"))
            elif region is not None:
                for label in _split(row["代表层级"]):
                    if label in MANDATE_BY_LABEL and region.congress_region(MANDATE_BY_LABEL[label]) is None:
                        errors.append(RowError(rownum, "代表层级", f"所在地区没有{label}人大"))
            bad = [c for c in _split(row["进驻联络站编码"]) if c not in stations]
            if bad:
                errors.append(RowError(rownum, "进驻联络站编码", f"找不到联络站 {'、'.join(bad)}"))
        return rows, errors

    def apply(self, rows):
        created = updated = 0
        for row in rows:
            region = Region.objects.get(code=row["所在地区编码"])
            deputy = Deputy.objects.filter(code=row["代表编号"]).first()
            is_new = deputy is None
            deputy = deputy or Deputy(code=row["代表编号"])
            deputy.name, deputy.gender, deputy.phone = row["姓名"], row["性别"], row["手机号"]
            deputy.expertise, deputy.home_region = row["专长标签"], region
            deputy.save()
            levels = [MANDATE_BY_LABEL[x] for x in _split(row["代表层级"])]
            deputy.mandates.exclude(level__in=levels).delete()
            for level in levels:
                Mandate.objects.update_or_create(
                    deputy=deputy,
                    level=level,
                    defaults={
                        "region": region.congress_region(level),
                        "term": row["届次"],
                        "electoral_unit": row["选区"],
                    },
                )
            codes = _split(row["进驻联络站编码"])
            deputy.stationings.exclude(station__code__in=codes).delete()
            for station in Station.objects.filter(code__in=codes):
                Stationing.objects.get_or_create(deputy=deputy, station=station)
            created += is_new
            updated += not is_new
        return created, updated


class UnitSheet(Sheet):
    title = "承办单位"
    columns = [
        ("单位编码", True, 24),
        ("名称", True, 80),
        ("类型", True, 20),
        ("地区编码", True, 20),
        ("常办分类", False, 200),
        ("联系电话", False, 20),
    ]
    example = ["U341722-ZJJ", "石台县住房和城乡建设局", "政府部门", "341722", "城乡建设", "0566-0000000"]

    def export_rows(self, qs):
        for u in qs.select_related("region").prefetch_related("categories").order_by("code").iterator(chunk_size=1000):
            yield [
                u.code,
                u.name,
                u.get_kind_display(),
                u.region.code,
                LIST_SEP.join(sorted(c.name for c in u.categories.all())),
                u.phone,
            ]

    def check_row(self, values, rownum, seen, errors):
        _dupe(values, "单位编码", rownum, seen, errors)
        if values["类型"] and values["类型"] not in UNIT_KIND_BY_LABEL:
            errors.append(RowError(rownum, "类型", f"应为：{'、'.join(UNIT_KIND_BY_LABEL)}"))

    def validate(self, headers, data):
        rows, errors = super().validate(headers, data)
        regions = set(Region.objects.filter(code__in={r["地区编码"] for r in rows}).values_list("code", flat=True))
        categories = set(Category.objects.values_list("name", flat=True))
        for rownum, row in enumerate(rows, start=2):
            if row["地区编码"] and row["地区编码"] not in regions:
                errors.append(RowError(rownum, "地区编码", f"找不到地区 {row['地区编码']}"))
            bad = [c for c in _split(row["常办分类"]) if c not in categories]
            if bad:
                errors.append(RowError(rownum, "常办分类", f"找不到分类 {'、'.join(bad)}"))
        return rows, errors

    def apply(self, rows):
        created = updated = 0
        categories = {c.name: c for c in Category.objects.all()}
        for row in rows:
            unit = HandlingUnit.objects.filter(code=row["单位编码"]).first()
            is_new = unit is None
            unit = unit or HandlingUnit(code=row["单位编码"])
            unit.name, unit.kind = row["名称"], UNIT_KIND_BY_LABEL[row["类型"]]
            unit.region, unit.phone = Region.objects.get(code=row["地区编码"]), row["联系电话"]
            unit.save()
            unit.categories.set([categories[c] for c in _split(row["常办分类"])])
            created += is_new
            updated += not is_new
        return created, updated


SHEETS: dict[str, Sheet] = {
    "regions": RegionSheet(),
    "stations": StationSheet(),
    "deputies": DeputySheet(),
    "units": UnitSheet(),
}


def import_xlsx(kind: str, fileobj, *, actor=None) -> ImportResult:
    sheet = SHEETS[kind]
    try:
        headers, data = read_rows(fileobj)
    except ValueError as exc:
        return ImportResult(errors=[RowError(1, "文件", str(exc))])
    rows, errors = sheet.validate(headers, data)
    if errors:
        return ImportResult(errors=errors)
    with transaction.atomic():
        created, updated = sheet.apply(rows)
        from liaison.events.services import record_event

        record_event(
            subject_type="import",
            subject_id=kind,
            action="imported",
            actor=actor,
            data={"created": created, "updated": updated, "rows": len(rows)},
        )
    return ImportResult(created=created, updated=updated)
