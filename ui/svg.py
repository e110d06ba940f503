"""Small charts drawn as inline SVG in the page's own Markdown: no chart library for the browser to fetch
and compile, so a page's first screen (总览's cards and charts, 单位详情's first tab) is drawn with the
page (benchmarks/browser_bench.py: ECharts is 1.2 MB of script, plotly.js 4.7 MB, the cards' Vega lines
0.8 MB). Each mark carries a <title> the browser shows on hover; a point of a unit is a link to its
单位详情. Text from documents is written as character references (svg_text): it shows as written and
no Markdown, HTML or formula in it is read as such."""
from __future__ import annotations

import math
import string
import urllib.parse
from typing import Any, Iterable, Sequence

import pandas as pd
import streamlit as st

from ui import style

_ESCAPE = {ord(c): f"&#{ord(c)};" for c in string.punctuation}
W, FONT_PX, AXIS = 400, 12, "#6b7b8c"


def svg_text(value: Any) -> str:
    """Text as SVG/HTML character data: every ASCII punctuation mark as a character reference, so no
    tag, entity, Markdown link/image, colour directive, formula or emoji code survives as such."""
    return "" if value is None or style.is_blank(value) else str(value).translate(_ESCAPE).replace("\n", " ")


def _blank(v: Any) -> bool:
    return v is None or style.is_blank(v)


def nice_ticks(low: float, high: float, count: int = 5, whole: bool = False) -> list[float]:
    """Round axis ticks covering low..high (about `count` of them; whole: steps of 1 or more)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    step = max(step, 1.0) if whole else step
    first = math.floor(low / step) * step
    ticks, t = [], first
    while t < high + step * 0.999:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _tick_label(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    # one line, no blank lines: Markdown takes the whole block as HTML and reads nothing inside it
    return (f'<div class="bureau-svg"><svg viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-label="{svg_text(label)}" xmlns="http://www.w3.org/2000/svg" '
            f'style="max-width:100%;height:auto;font-family:{style.FONT};font-size:{FONT_PX}px">'
            + "".join(body) + "</svg></div>")


def sparkline(values: Sequence[Any], label: str = "历年走势") -> str:
    """A small line of a card's figure over the years (a blank year is a gap, not zero)."""
    known = [float(v) for v in values if not _blank(v)]
    if len(known) < 2:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    step = 100 / (len(values) - 1)
    segments, current = [], []
    for i, v in enumerate(values):
        if _blank(v):
            segments, current = segments + ([current] if current else []), []
            continue
        current.append(f"{i * step:.2f},{27 - (float(v) - low) / span * 24 if high > low else 15:.2f}")
    segments += [current] if current else []
    lines = "".join(f'<polyline points="{" ".join(s)}" fill="none" stroke="{style.PALETTE[0]}" stroke-width="2" '
                    'vector-effect="non-scaling-stroke" stroke-linejoin="round"/>' for s in segments if len(s) > 1)
    return (f'<div class="bureau-spark"><svg viewBox="0 0 100 30" preserveAspectRatio="none" width="100%" height="36" '
            f'role="img" aria-label="{svg_text(label)}" xmlns="http://www.w3.org/2000/svg">{lines}</svg></div>')


def bars(categories: Sequence[Any], series: dict[str, Sequence[Any]], tips: dict[str, Sequence[str]],
         y_name: str, height: int = 300, legend: bool = False, rotate: bool = False, whole: bool = False,
         values_shown: bool = False, width: int = W) -> str:
    """Bars per category, one colour per series stacked (one series: plain bars); a blank value draws
    no bar. tips: per series, the hover text of each bar; whole: counts (whole-number ticks); values_shown:
    each bar's figure written in it where it is tall enough. width: of the drawing, in the page's pixels
    at full size (it scales to its column)."""
    cats = [svg_text(c) for c in categories]
    totals = [sum(float(s[i]) for s in series.values() if not _blank(s[i]) and float(s[i]) > 0)
              for i in range(len(cats))]
    ticks = nice_ticks(0.0, max(totals + [0.0]) or 1.0, whole=whole)
    top, bottom = 28 + (18 if legend else 0), 26 + (18 if rotate else 0)
    left = 10 + 7 * max(len(_tick_label(t)) for t in ticks) + (12 if rotate else 0)
    plot_h, plot_w = height - top - bottom, width - left - 12
    ymax = ticks[-1] or 1.0

    def y(v: float) -> float:
        return top + plot_h - v / ymax * plot_h

    body = [f'<text x="{left - 6}" y="{top - 10}" fill="{AXIS}" text-anchor="start">{svg_text(y_name)}</text>']
    for t in ticks:
        body.append(f'<line x1="{left}" x2="{width - 12}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#e3e7eb"/>'
                    f'<text x="{left - 5}" y="{y(t) + 4:.1f}" fill="{AXIS}" text-anchor="end">{_tick_label(t)}</text>')
    slot = plot_w / max(len(cats), 1)
    bar = min(56.0, slot * 0.6)
    for i, cat in enumerate(cats):
        x = left + slot * i + (slot - bar) / 2
        base = 0.0
        for k, (name, values) in enumerate(series.items()):
            v = values[i]
            if _blank(v) or float(v) <= 0:
                continue
            h = float(v) / ymax * plot_h
            body.append(f'<rect x="{x:.1f}" y="{y(base + float(v)):.1f}" width="{bar:.1f}" height="{h:.1f}" '
                        f'fill="{style.PALETTE[k % len(style.PALETTE)]}"><title>{svg_text(tips[name][i])}</title></rect>')
            if values_shown and h > FONT_PX + 4:
                body.append(f'<text x="{x + bar / 2:.1f}" y="{y(base + float(v) / 2) + 4:.1f}" fill="#fff" '
                            f'font-size="11" text-anchor="middle" pointer-events="none">{float(v):,.2f}</text>')
            base += float(v)
        cx, cy = left + slot * i + slot / 2, top + plot_h + 16
        turn = f' transform="rotate(-30 {cx:.1f} {cy:.1f})" text-anchor="end"' if rotate else ' text-anchor="middle"'
        body.append(f'<text x="{cx:.1f}" y="{cy:.1f}" fill="{AXIS}"{turn}>{cat}</text>')
    body.append(f'<line x1="{left}" x2="{width - 12}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{AXIS}"/>')
    if legend:
        body += _legend([(name, style.PALETTE[k % len(style.PALETTE)]) for k, name in enumerate(series)], width)
    return _svg(width, height, body, y_name)


def _legend(items: list[tuple[str, str]], width: int) -> list[str]:
    out, x = [], width - 12
    for name, colour in reversed(items):
        x -= FONT_PX * len(name) + 20
        out.append(f'<rect x="{x}" y="4" width="12" height="12" rx="2" fill="{colour}"/>'
                   f'<text x="{x + 16}" y="14" fill="#1f2933">{svg_text(name)}</text>')
    return out


def strip(values: Sequence[float], tips: Sequence[str], colours: Sequence[str], links: Sequence[str | None],
          x_name: str, legend: list[tuple[str, str]] | None = None, height: int = 300, width: int = W) -> str:
    """Dots along one value axis, spread a little up and down so they do not hide each other; a dot
    with a link opens it (the unit's 单位详情)."""
    known = [float(v) for v in values]
    ticks = nice_ticks(min(known), max(known)) if known else [0.0, 1.0]
    top, bottom, left, right = 10 + (22 if legend else 0), 44, 16, width - 16
    mid = top + (height - top - bottom) / 2
    spread = (height - top - bottom) / 2 - 8

    def x(v: float) -> float:
        return left + (v - ticks[0]) / ((ticks[-1] - ticks[0]) or 1.0) * (right - left)

    body = []
    for t in ticks:
        body.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top}" y2="{height - bottom}" stroke="#e3e7eb"/>'
                    f'<text x="{x(t):.1f}" y="{height - bottom + 16}" fill="{AXIS}" text-anchor="middle">'
                    f'{_tick_label(t)}</text>')
    body.append(f'<text x="{(left + right) / 2}" y="{height - 8}" fill="{AXIS}" text-anchor="middle">'
                f'{svg_text(x_name)}</text>')
    for i, (v, tip, colour, link) in enumerate(zip(known, tips, colours, links)):
        dy = ((i * 37) % 11 - 5) / 5 * spread
        dot = (f'<circle cx="{x(v):.1f}" cy="{mid + dy:.1f}" r="5.5" fill="{colour}" fill-opacity="0.8">'
               f'<title>{svg_text(tip)}</title></circle>')
        body.append(f'<a class="unit-link" href="{link}" target="_self" style="cursor:pointer">{dot}</a>' if link else dot)
    if legend:
        body += _legend(legend, width)
    return _svg(width, height, body, x_name)


def unit_link(unit_id: str) -> str:
    """The address of a unit's 单位详情 with the sidebar's filters of this view (a relative link)."""
    try:
        query = {k: st.query_params.get_all(k) for k in st.query_params if k != "u"}
    except Exception:  # noqa: BLE001 - outside a session: the unit alone
        query = {}
    query = {k: v for k, v in query.items() if v} | {"u": [unit_id]}
    return svg_text("unit_detail?" + urllib.parse.urlencode(query, doseq=True, quote_via=urllib.parse.quote))


def chart(svg: str, data: pd.DataFrame, name: str | None, key: str, *, title: str, heading: str | None = None,
          columns: Iterable[str] | None = None, labels: dict[str, str] | None = None) -> None:
    """An SVG chart under a line of text (its title), with 下载CSV of the rows it draws (as ui.chart)."""
    from ui.components import display_frame, downloads, plain

    st.markdown(f"**{plain(heading or title)}**")
    st.markdown(svg, unsafe_allow_html=True)
    downloads(display_frame(data, name, columns=columns, labels=labels), key, title, xlsx=False)
