"""大屏: the cockpit on a projector or a hall screen — full width, no sidebar, large type, and it
redraws itself when new ledgers are loaded (ui.page: PageInfo.fullscreen)."""

from __future__ import annotations

from pages import overview
from report import figures, takeaways
from report.view import Chart, Row, View
from warehouse import freshness
from warehouse import overview as numbers


def caption(v: View) -> str:
    return overview.caption(v) + "；新数据入库后自动刷新"


def view(v: View) -> list:
    ranking = v.ask(numbers.district_ranking, v.filters)
    trend = v.ask(numbers.monthly_trend, v.filters)
    return [
        overview.attention(v, v.ask(freshness.district_freshness)),
        overview.cockpit(v.ask(numbers.headline, v.filters)),
        Row([
            Chart("ranking", "县区签约投资排名", figures.district_ranking(ranking), takeaways.district_ranking(ranking),
                  scope=v.filters),
            Chart("trend", "月度签约、开工、投产项目数", figures.monthly_trend(trend), takeaways.monthly_trend(trend),
                  scope=v.filters),
        ]),
    ]


if __name__ == "__main__":      # run by Streamlit for this page
    from ui.page import show
    show("screen")
