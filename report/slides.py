"""A 16:9 slide deck (.pptx) for meetings: a title slide, chart slides (picture + Chinese title +
one-line takeaway), native (editable) table slides, big-number and note slides.

Chinese text: every run gets an East Asian typeface (a:ea) besides the Latin one, `lang=zh-CN`
and the GB2312 charset hint, and the theme's East Asian fonts are set too, so PowerPoint, WPS
and LibreOffice pick a Chinese font — "Microsoft YaHei" where it exists (Windows, WPS); elsewhere
the viewer's substitution for a zh-CN run (LibreOffice on Debian: a Noto Sans CJK face).

Chart pictures are rendered in one batch when the deck is written (`to_bytes`/`save`): the
figures of a deck render in parallel on the one shared browser (report.render).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

import polars as pl
from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12192000), Emu(6858000)   # 13.333 × 7.5 in, 16:9
EA_FONT = "Microsoft YaHei"        # 微软雅黑: Windows, WPS; LibreOffice substitutes a CJK font
EA_FONT_LOCAL = "微软雅黑"
LATIN_FONT = "Microsoft YaHei"
GB2312_CHARSET = "-122"            # charset 134 as a signed byte, the hint for Simplified Chinese

NAVY = RGBColor(0x1F, 0x38, 0x64)
INK = RGBColor(0x26, 0x32, 0x38)
GREY = RGBColor(0x6B, 0x77, 0x85)
ACCENT = RGBColor(0x2F, 0x6F, 0xD6)
TAKEAWAY = RGBColor(0xB0, 0x3A, 0x2E)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
HEADER_FILL = RGBColor(0x2F, 0x6F, 0xD6)
BAND_FILL = RGBColor(0xEE, 0xF3, 0xFB)

MARGIN = Inches(0.5)
CONTENT_TOP = Inches(1.55)
CONTENT_BOTTOM = Inches(6.95)
ROWS_PER_TABLE_SLIDE = 15
_NUMBER = re.compile(r"^[+\-−]?[\d,]+(\.\d+)?(%|个|亿元|万元|万美元|个百分点)?$")

_LAYOUT_TITLE, _LAYOUT_TITLE_ONLY = 0, 5


def set_font(run, size: float | None = None, *, bold: bool | None = None,
             color: RGBColor | None = None) -> None:
    """Latin and East Asian typeface, zh-CN language, size, weight and colour of one run."""
    font = run.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color
    rpr = run._r.get_or_add_rPr()
    rpr.set("lang", "zh-CN")
    rpr.set("altLang", "en-US")
    latin = rpr.find(qn("a:latin"))
    old = rpr.find(qn("a:ea"))
    if old is not None:
        rpr.remove(old)
    ea = etree.SubElement(rpr, qn("a:ea"))
    ea.set("typeface", EA_FONT)
    ea.set("charset", GB2312_CHARSET)
    latin.addnext(ea)     # schema order: … a:latin, a:ea, a:cs, a:sym, a:hlinkClick …


def _set_theme_fonts(prs) -> None:
    """The theme's East Asian fonts: text typed into the deck later is Chinese-ready too."""
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    xml = theme.blob.decode("utf-8")
    xml = xml.replace('<a:ea typeface=""/>', f'<a:ea typeface="{EA_FONT}" charset="{GB2312_CHARSET}"/>')
    xml = xml.replace('<a:font script="Hans" typeface="宋体"/>', f'<a:font script="Hans" typeface="{EA_FONT_LOCAL}"/>')
    theme._blob = xml.encode("utf-8")


def _place(shape, left, top, width, height) -> None:
    shape.left, shape.top, shape.width, shape.height = int(left), int(top), int(width), int(height)


def _write(frame, lines: Sequence[str] | str, size: float, *, bold: bool = False,
           color: RGBColor = INK, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP) -> None:
    """Replace the text of a text frame, one paragraph a line, every run with the Chinese font."""
    lines = [lines] if isinstance(lines, str) else list(lines)
    frame.clear()
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for i, line in enumerate(lines):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.alignment = align
        run = p.add_run()
        run.text = line
        set_font(run, size, bold=bold, color=color)


def _textbox(slide, left, top, width, height, lines, size, **kwargs):
    box = slide.shapes.add_textbox(int(left), int(top), int(width), int(height))
    box.text_frame.margin_left = box.text_frame.margin_right = Inches(0.05)
    _write(box.text_frame, lines, size, **kwargs)
    return box


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


def _cell_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


class Deck:
    """Build a deck slide by slide; `to_bytes()` or `save()` renders the charts and writes it.

    footer: a line at the bottom of every content slide (scope, filters, as-of date).
    """

    def __init__(self, footer: str = ""):
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
        _set_theme_fonts(self.prs)
        self.footer = footer
        self._pending: list[tuple[object, object]] = []   # (slide, figure) to render

    @property
    def slides(self):
        return self.prs.slides

    @property
    def pending_charts(self) -> int:
        """Chart slides whose picture is rendered when the deck is written."""
        return len(self._pending)

    # --- slides -------------------------------------------------------------------------

    def add_title_slide(self, title: str, filters_text: str = "", date_text: str = "", note: str = ""):
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[_LAYOUT_TITLE])
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, SLIDE_WIDTH, Inches(0.35))
        band.fill.solid()
        band.fill.fore_color.rgb = NAVY
        band.line.fill.background()
        head, sub = slide.placeholders[0], slide.placeholders[1]
        _place(head, MARGIN, Inches(1.7), SLIDE_WIDTH - 2 * MARGIN, Inches(1.5))
        _write(head.text_frame, title, 40, bold=True, color=NAVY, align=PP_ALIGN.CENTER,
               anchor=MSO_ANCHOR.BOTTOM)
        lines = [line for line in (filters_text, date_text) if line]
        _place(sub, Inches(1.2), Inches(3.5), SLIDE_WIDTH - Inches(2.4), Inches(2.4))
        _write(sub.text_frame, lines or [""], 20, color=INK, align=PP_ALIGN.CENTER)
        for p in sub.text_frame.paragraphs[1:]:
            for run in p.runs:
                set_font(run, 16, color=GREY)
        if note:
            _textbox(slide, MARGIN, Inches(6.5), SLIDE_WIDTH - 2 * MARGIN, Inches(0.5), note, 12,
                     color=GREY, align=PP_ALIGN.CENTER)
        return slide

    def _content_slide(self, title: str, takeaway: str | None = None):
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[_LAYOUT_TITLE_ONLY])
        head = slide.shapes.title
        _place(head, MARGIN, Inches(0.25), SLIDE_WIDTH - 2 * MARGIN, Inches(0.75))
        _write(head.text_frame, title, 28, bold=True, color=NAVY, anchor=MSO_ANCHOR.MIDDLE)
        bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, MARGIN, Inches(1.02), Inches(1.2), Emu(38100))
        bar.fill.solid()
        bar.fill.fore_color.rgb = ACCENT
        bar.line.fill.background()
        if takeaway:
            _textbox(slide, MARGIN, Inches(1.08), SLIDE_WIDTH - 2 * MARGIN, Inches(0.45), takeaway,
                     _fitting_size(takeaway, SLIDE_WIDTH - 2 * MARGIN, 18, 12), bold=True, color=TAKEAWAY,
                     anchor=MSO_ANCHOR.MIDDLE)
        number = len(self.prs.slides)
        if self.footer:
            _textbox(slide, MARGIN, Inches(7.05), SLIDE_WIDTH - 2 * MARGIN - Inches(0.8), Inches(0.35),
                     self.footer, 10, color=GREY)
        _textbox(slide, SLIDE_WIDTH - MARGIN - Inches(0.8), Inches(7.05), Inches(0.8), Inches(0.35),
                 str(number), 10, color=GREY, align=PP_ALIGN.RIGHT)
        return slide

    def add_chart_slide(self, fig, title: str, takeaway: str | None = None):
        """A chart slide; the picture is rendered with the others when the deck is written."""
        slide = self._content_slide(title, takeaway)
        self._pending.append((slide, fig))
        return slide

    def add_picture_slide(self, png: bytes, title: str, takeaway: str | None = None):
        slide = self._content_slide(title, takeaway)
        self._place_picture(slide, png)
        return slide

    def add_table_slide(self, df: pl.DataFrame, title: str, takeaway: str | None = None,
                        note: str | None = None, rows_per_slide: int = ROWS_PER_TABLE_SLIDE,
                        colors: dict[str, str] | None = None):
        """The frame as a native table (headers = column names); more rows than fit go on
        continuation slides titled "（续）". colors: cell text → font colour ("#D64545"), for
        the lights. Returns the slides."""
        slides = []
        chunks = [df.slice(i, rows_per_slide) for i in range(0, max(df.height, 1), rows_per_slide)]
        for i, chunk in enumerate(chunks):
            slide = self._content_slide(title if i == 0 else f"{title}（续）", takeaway if i == 0 else None)
            bottom = CONTENT_BOTTOM - (Inches(0.4) if note else 0)
            self._table(slide, chunk, CONTENT_TOP, bottom, colors or {})
            if note:
                _textbox(slide, MARGIN, CONTENT_BOTTOM - Inches(0.35), SLIDE_WIDTH - 2 * MARGIN,
                         Inches(0.35), note, 11, color=GREY)
            slides.append(slide)
        return slides

    def add_metrics_slide(self, title: str, cards: Sequence[dict], takeaway: str | None = None):
        """Big numbers: each card {"label", "value", "detail" (optional), "color" ("#2F6FD6", optional)}."""
        slide = self._content_slide(title, takeaway)
        n = max(len(cards), 1)
        per_row = 3 if n in (3, 6, 9) else min(n, 4)
        rows = -(-n // per_row)
        gap = Inches(0.25)
        width = (SLIDE_WIDTH - 2 * MARGIN - gap * (per_row - 1)) / per_row
        height = min(Inches(2.4), (CONTENT_BOTTOM - CONTENT_TOP - gap * (rows - 1)) / rows)
        for i, card in enumerate(cards):
            r, c = divmod(i, per_row)
            left = MARGIN + c * (width + gap)
            top = CONTENT_TOP + Inches(0.1) + r * (height + gap)
            box = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, int(left), int(top), int(width), int(height))
            box.adjustments[0] = 0.08
            box.fill.solid()
            box.fill.fore_color.rgb = BAND_FILL
            color = _rgb(card["color"]) if card.get("color") else None
            box.line.color.rgb = color or ACCENT
            box.line.width = Pt(2)
            frame = box.text_frame
            lines = [card["label"], card["value"]] + ([card["detail"]] if card.get("detail") else [])
            _write(frame, lines, 18, color=INK, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
            value_size = _fitting_size(card["value"], width - Inches(0.3), 36, 20)
            set_font(frame.paragraphs[1].runs[0], value_size, bold=True, color=color or NAVY)
            if len(frame.paragraphs) > 2:
                set_font(frame.paragraphs[2].runs[0], 14, color=GREY)
        return slide

    def add_note_slide(self, title: str, text: str | Sequence[str]):
        slide = self._content_slide(title)
        _textbox(slide, MARGIN + Inches(0.5), Inches(2.4), SLIDE_WIDTH - 2 * MARGIN - Inches(1.0),
                 Inches(3.0), text, 24, color=GREY, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)
        return slide

    # --- pieces -------------------------------------------------------------------------

    def _table(self, slide, df: pl.DataFrame, top, bottom, colors: dict[str, str]) -> None:
        headers = list(df.columns)
        body = [[_cell_text(v) for v in row] for row in df.iter_rows()] or [["—"] * len(headers)]
        row_height = min(Inches(0.36), int((bottom - top) / (len(body) + 1)))
        height = row_height * (len(body) + 1)
        width = SLIDE_WIDTH - 2 * MARGIN
        frame = slide.shapes.add_table(len(body) + 1, len(headers), int(MARGIN), int(top), int(width), int(height))
        table = frame.table
        size = 12 if len(headers) <= 6 else 11 if len(headers) <= 9 else 10
        for j, w in enumerate(_column_widths(headers, body, width, size)):
            table.columns[j].width = w
        numeric = [all(_is_number(r[j]) or r[j] == "—" for r in body) for j in range(len(headers))]
        for j, h in enumerate(headers):
            cell = table.cell(0, j)
            _write(cell.text_frame, h, size, bold=True, color=WHITE,
                   align=PP_ALIGN.RIGHT if numeric[j] else PP_ALIGN.LEFT, anchor=MSO_ANCHOR.MIDDLE)
            cell.fill.solid()
            cell.fill.fore_color.rgb = HEADER_FILL
        for i, row in enumerate(body, start=1):
            table.rows[i].height = int(row_height)
            for j, text in enumerate(row):
                cell = table.cell(i, j)
                cell.margin_top = cell.margin_bottom = Inches(0.03)
                color = _rgb(colors[text]) if text in colors else INK
                _write(cell.text_frame, text, size, color=color, bold=text in colors,
                       align=PP_ALIGN.RIGHT if numeric[j] else PP_ALIGN.LEFT, anchor=MSO_ANCHOR.MIDDLE)

    def _place_picture(self, slide, png: bytes) -> None:
        from PIL import Image

        w, h = Image.open(io.BytesIO(png)).size
        box_w, box_h = SLIDE_WIDTH - 2 * MARGIN, CONTENT_BOTTOM - CONTENT_TOP
        scale = min(box_w / w, box_h / h)
        pw, ph = int(w * scale), int(h * scale)
        left = int((SLIDE_WIDTH - pw) / 2)
        slide.shapes.add_picture(io.BytesIO(png), left, int(CONTENT_TOP), pw, ph)

    def render_charts(self) -> None:
        """Render every pending chart in one batch and put the pictures on their slides."""
        if not self._pending:
            return
        from report.images import slide_pictures

        pending, self._pending = self._pending, []
        for (slide, _), png in zip(pending, slide_pictures([fig for _, fig in pending])):
            self._place_picture(slide, png)

    # --- output -------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        self.render_charts()
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_bytes(self.to_bytes())
        return path


def _rgb(hex_color: str) -> RGBColor:
    return RGBColor.from_string(hex_color.lstrip("#").upper())


def _display_width(text: str) -> int:
    return sum(1 if ord(ch) < 0x2E80 else 2 for ch in str(text))


# A Latin character is at most about this many ems wide (DejaVu digits, LibreOffice's stand-in);
# a Chinese character counts as two.
_UNIT = 0.64
_CELL_PADDING = Inches(0.2)


def _fitting_size(text: str, width: int, largest: float, smallest: float) -> float:
    """The largest font size (pt) at which `text` fits on one line of `width` EMU."""
    units = max(_display_width(text), 1)
    fits = Emu(int(width)).pt / (units * _UNIT)
    return max(smallest, min(largest, int(fits)))


def _column_widths(headers: list[str], body: list[list[str]], width: int, size: float) -> list[int]:
    """Column widths (EMU) adding up to `width`: a short column (dates, numbers) gets what its
    longest text needs, the long ones (names) share the rest and wrap."""
    needed = []
    for j, h in enumerate(headers):
        units = max([_display_width(h)] + [_display_width(r[j]) for r in body])
        needed.append(int(Pt(units * size * _UNIT)) + _CELL_PADDING)
    total = sum(needed)
    if total <= width:
        scaled = [int(n * width / total) for n in needed]
        scaled[-1] += width - sum(scaled)
        return scaled
    short = [n <= Inches(1.6) for n in needed]
    fixed = sum(n for n, s in zip(needed, short) if s)
    if fixed + Inches(1.0) * (len(short) - sum(short)) > width:   # too many columns: all wrap
        scaled = [int(n * width / total) for n in needed]
        scaled[-1] += width - sum(scaled)
        return scaled
    rest = width - fixed
    flexible = sum(n for n, s in zip(needed, short) if not s) or 1
    widths = [n if s else int(n * rest / flexible) for n, s in zip(needed, short)]
    widths[-1] += width - sum(widths)
    return widths
