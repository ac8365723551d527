"""Home page panel: where the user's statistics are."""

from django.urls import reverse

from liaison.org.selectors import scope_of


def statistics_panel(user) -> list[dict]:
    scope = scope_of(user)
    if not (scope.everything or scope.region_paths or scope.write_station_ids or scope.deputy_id):
        return []
    items = [{"label": "民意闭环统计看板", "url": reverse("reports-index"), "note": "办结率、满意率、反馈率及明细"}]
    if scope.everything or scope.region_paths or scope.write_station_ids:
        items.append({"label": "月度通报", "url": reverse("reports-bulletins"), "note": "Word / Excel 下载"})
    return [{"title": "统计与通报", "items": items, "empty": "", "url": reverse("reports-index")}]
