"""项目地图: district boundaries with their totals, project points by stage or chain."""

from __future__ import annotations

from report import maps, takeaways
from report.colors import STAGE_COLORS, chain_colors
from report.format import count, day, window, yi
from report.view import Card, Choice, Detail, Map, Message, Metrics, Table, View
from warehouse import ledger, mapdata
from warehouse.geo import bounds, load_boundaries
from warehouse.options import filter_options
from warehouse.reference import load_reference
from warehouse.settings import BOUNDARY_DIR, settings

COLOR_BY = Choice("map-color", "点的颜色", ["按阶段", "按产业链"])
MAP_KEY = "deck"


def caption(v: View) -> str:
    return f"时间范围：{window(v.filters.date_from, v.filters.date_to)}"


def _counts(counts: dict, shown: int) -> list:
    items: list = [Metrics("counts", "项目上图情况", [
        Card("地图上的项目", count(counts["located"])), Card("其中近似位置", count(counts["approximate"])),
        Card("无坐标（未上图）", count(counts["missing"]))])]
    if counts["located"] > shown:
        items.append(Message(f"项目较多，地图只显示投资额最大的 {count(shown)}。"))
    return items


def _picked(v: View) -> tuple[str | None, dict | None]:
    """(project id, approximate spot) the user clicked on the map: a point, or a spot's ring."""
    objects = ((v.selected(MAP_KEY) or {}).get("selection") or {}).get("objects") or {}
    if objects.get(maps.POINT_LAYER):
        return objects[maps.POINT_LAYER][0].get("project_id"), None
    if objects.get(maps.APPROX_LAYER):
        spot = objects[maps.APPROX_LAYER][0]
        return (spot.get("project_id"), None) if spot.get("project_id") else (None, spot)
    return None, None


def _spot(v: View, spot: dict) -> list:
    """The projects sharing one approximate spot (the click's coordinates are bind parameters)."""
    try:
        lng, lat = float(spot.get("lng")), float(spot.get("lat"))
    except (TypeError, ValueError):
        return []
    rows = v.ask(mapdata.projects_at, v.fx, lng, lat)
    return [Table("spot", f"该近似位置的项目（{count(rows.height)}）", rows,
                  ["project_name", "district", "stage", "total_investment_wan"],
                  note="这些项目台账中只有园区或县区，没有具体坐标，按园区或县区中心标注。")]


def _detail(v: View, project_id: str) -> list:
    detail = v.ask(ledger.project_detail, project_id)
    if not detail:
        return []
    chain = detail["chain"] if detail["chain_known"] else f"未识别：{detail['chain']}"
    items: list = [Detail(detail["project_name"], [("县区", detail["district"]), ("产业链", chain),
                                                  ("签约时间", day(detail["sign_date"])), ("投资方", detail["investor"])],
                          heading=f"{yi(detail['total_investment_wan'])} · {detail['stage']}", section="选中的项目")]
    if detail["location_approximate"]:
        items.append(Message("该项目位置为近似位置（按园区或县区中心标注）。"))
    return items


def view(v: View) -> list:
    boundary = load_boundaries(str(BOUNDARY_DIR / load_reference().boundary_file))
    by = "stage" if v.value(COLOR_BY) == "按阶段" else "chain"
    points = v.ask(mapdata.map_points, v.fx)
    spots = v.ask(mapdata.approximate_spots, v.fx)
    counts = v.ask(mapdata.location_counts, v.fx)
    totals = v.ask(mapdata.district_totals, v.filters)
    colors = STAGE_COLORS if by == "stage" else chain_colors(v.ask(filter_options).chains)
    present = list(dict.fromkeys(points[by].to_list())) if points.height else []
    box = bounds(boundary)
    deck = maps.deck(boundary, totals, points, spots, by, colors, box,
                     str(settings().get("map", "tile_url") or ""))
    picture = maps.static_figure(boundary, totals, points, spots, by, colors, box)
    shown = totals.filter(totals["projects"] > 0).sort("investment_wan", descending=True)
    project, spot = _picked(v)
    members: dict[str, tuple] = {}
    for r in totals.filter(totals["map_code"].is_not_null()).iter_rows(named=True):
        members[str(r["map_code"])] = (*members.get(str(r["map_code"]), ()), r["district"])
    return [
        COLOR_BY,
        *_counts(counts, points.height),
        Map(MAP_KEY, "项目分布图", deck, maps.legend_html(colors, [k for k in colors if k in present]), picture,
            takeaways.district_totals(shown), scope=v.fx, districts=members),
        Message("鼠标悬停查看项目或县区合计（功能区计入所在县区）；点击项目点查看详情，点击县区按该县区筛选下方清单。"),
        *(_detail(v, project) if project else []),
        *(_spot(v, spot) if spot else []),
        Table("totals", "县区合计", totals, ["district", "kind", "projects", "investment_wan"],
              takeaways.district_totals(shown),
              note=(f"地图上的项目{count(counts['located'])}（其中近似位置{count(counts['approximate'])}），"
                    f"无坐标{count(counts['missing'])}"), slide_rows=None),
    ]


if __name__ == "__main__":      # run by Streamlit for this page
    from ui.page import show
    show("map")
