"""A figure as a picture that explains itself: the chart as on screen, plus a title, the active
filters and the data's as-of date, rendered on the server (report.render) in PNG or SVG.

PNG is slide-ready: 16:9, 1920 × 1080 px (a 1280 × 720 layout at scale 1.5, so text keeps the
proportions it has on screen). The font family is set explicitly, Noto Sans CJK SC first
(fonts-noto-cjk on the server), then the fonts Windows and macOS have, so an SVG opened
elsewhere still finds a Chinese font.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go

from report import render as _render
from report.describe import as_of_text
from report.figures import FONT as SCREEN_FONT
from report.figures import esc

CJK_FONT = "Noto Sans CJK SC"
# the screen's font list (ui/charts.py), with the server's CJK font surely first
FONT = SCREEN_FONT if SCREEN_FONT.startswith(CJK_FONT) else f"{CJK_FONT}, {SCREEN_FONT}"

PNG_WIDTH, PNG_HEIGHT, PNG_SCALE = 1280, 720, 1.5          # → 1920 × 1080
# a slide's chart area (12.33 × 5.4 in): a narrower layout, so the text reads from the back of the room
SLIDE_WIDTH, SLIDE_HEIGHT, SLIDE_SCALE = 1000, 438, 1.92   # → 1920 × 841
_SUBTITLE_WIDTH = 160                                      # wrap the filter line (Latin-letter widths)


@dataclass(frozen=True)
class Caption:
    """What a picture says about itself."""

    title: str = ""
    filters_text: str = ""
    as_of: date | None = None

    @property
    def subtitle(self) -> str:
        parts = [p for p in (self.filters_text, as_of_text(self.as_of) if self.as_of else "") if p]
        return "　｜　".join(parts)


def _width(text: str) -> int:
    """Display width: a Chinese character is as wide as two Latin ones."""
    return sum(1 if ord(ch) < 0x2E80 else 2 for ch in text)


def _wrapped(text: str, width: int = _SUBTITLE_WIDTH, lines: int = 2) -> str:
    """Escaped text in at most `lines` lines (plotly titles do not wrap by themselves): parts
    separated by "；" or "｜" stay whole when they fit, a longer part is cut where it must."""
    pieces = re.split(r"(?<=[；｜])", text)
    out: list[str] = [""]
    for piece in pieces:
        while piece:
            room = width - _width(out[-1])
            if _width(piece) <= room:
                out[-1] += piece
                piece = ""
            elif out[-1] and _width(piece) <= width:
                out.append("")
            else:
                cut = 0
                while cut < len(piece) and _width(piece[: cut + 1]) <= room:
                    cut += 1
                out[-1] += piece[:cut]
                piece = piece[cut:]
                out.append("")
    out = [line.strip() for line in out if line.strip()] or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][:-1] + "…"
    return "<br>".join(esc(line) for line in out)


def annotated(fig: go.Figure, caption: Caption | None = None, *, width: int = PNG_WIDTH,
              height: int = PNG_HEIGHT) -> go.Figure:
    """A copy of `fig` sized for export, with the caption as title and subtitle (when given)."""
    out = go.Figure(fig)
    has_legend = out.layout.showlegend is not False and len(out.data) > 1
    top = 20
    if caption and caption.title:
        sub = caption.subtitle
        lines = _wrapped(sub).count("<br>") + 1 if sub else 0
        top = 70 + 24 * lines
        out.update_layout(title=dict(
            text=f"<b>{esc(caption.title)}</b>", x=0.012, xanchor="left", y=0.985, yanchor="top",
            yref="container", font=dict(family=FONT, size=26, color="#1F2D3D"),
            subtitle=dict(text=_wrapped(sub) if sub else "", font=dict(family=FONT, size=15, color="#5F6B7A")),
        ))
    if has_legend:
        top += 36
    # the screen's theme (Streamlit) grows the margins to fit tick labels and axis titles; so do we
    out.update_xaxes(automargin=True)
    out.update_yaxes(automargin=True)
    margin = out.layout.margin
    out.update_layout(
        width=width, height=height, font=dict(family=FONT), autosize=False,
        margin=dict(l=max(margin.l or 0, 20), r=max(margin.r or 0, 30), t=top, b=max(margin.b or 0, 20)),
        paper_bgcolor="white",
    )
    return out


def _opts(fmt: str, width: int, height: int, scale: float) -> dict:
    return {"format": fmt, "width": width, "height": height, "scale": scale if fmt == "png" else 1}


def chart_images(fig: go.Figure, title: str, filters_text: str = "", as_of: date | None = None,
                 formats: tuple[str, ...] = ("png", "svg")) -> dict[str, bytes]:
    """The figure with its caption in each format (one batch)."""
    pic = annotated(fig, Caption(title, filters_text, as_of))
    jobs = [(pic.to_dict(), _opts(f, PNG_WIDTH, PNG_HEIGHT, PNG_SCALE)) for f in formats]
    return dict(zip(formats, _render.render(jobs)))


def slide_height(fig: go.Figure) -> int:
    """A long list (23 chains, 9 districts) keeps the height it has on screen, up to twice the
    slide's chart area, so that no label is skipped; the slide then shows it a little narrower."""
    wanted = int(fig.layout.height or 0)
    return max(SLIDE_HEIGHT, min(wanted, 2 * SLIDE_HEIGHT))


def slide_pictures(figs: list[go.Figure]) -> list[bytes]:
    """PNG pictures for deck slides: no title (the slide has it), 1920 px wide, the slide's shape."""
    jobs = []
    for f in figs:
        height = slide_height(f)
        pic = annotated(f, None, width=SLIDE_WIDTH, height=height)
        jobs.append((pic.to_dict(), _opts("png", SLIDE_WIDTH, height, SLIDE_SCALE)))
    return _render.render(jobs)
