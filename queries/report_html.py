"""Render a `Report` as one self-contained HTML file: inline CSS, an inline SVG chart, no scripts.

A Content-Security-Policy meta tag forbids scripts and every external load, so the file renders the
same offline and cannot fetch anything when opened. Every text goes through `html.escape`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable

from queries.report import GapRow, Report
from queries.report_render import NO_VALUE, Section, Table, label_shares_known, report_sections

_STYLE = """
:root { color-scheme: light; --ink: #1f2933; --muted: #52606d; --rule: #d9e2ec; }
body { margin: 0; background: #fff; color: var(--ink);
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
h2 { font-size: 1.2rem; margin: 2.2rem 0 0.6rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.2rem; }
p.headline { font-size: 1.15rem; font-weight: 600; margin: 0 0 0.8rem; }
ul.facts { color: var(--muted); padding-left: 1.2rem; margin: 0; }
table { border-collapse: collapse; margin: 0.6rem 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.3rem 0.8rem 0.3rem 0; text-align: left;
         vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.number, th.number { text-align: right; }
td em { color: var(--muted); }
figure { margin: 0.8rem 0; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
"""

# Layout of the bar chart, in SVG user units (pixels at 100% zoom).
_CHART_WIDTH = 760
_LABEL_WIDTH = 230
_PLOT_RIGHT = 730
_TOP = 44
_ROW_HEIGHT = 42
_BAR_HEIGHT = 13


def render_html(report: Report) -> str:
    """Render the report as a complete HTML document."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Strip-down report</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    for index, section in enumerate(report_sections(report)):
        parts.append(_section(section, first=index == 0))
        if section.key == "gap":
            parts.append(f"<figure>{bar_chart_svg(report.gap, report)}</figure>")
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _escape(value: str | None) -> str:
    if value is None:
        return f"<em>{NO_VALUE}</em>"
    return html.escape(value)


def _section(section: Section, *, first: bool) -> str:
    lines = [f'<section id="{section.key}">']
    if first:
        lines.append(f"<h1>{_escape(section.title)}</h1>")
        lines += [f'<p class="headline">{_escape(text)}</p>' for text in section.paragraphs]
    else:
        lines.append(f"<h2>{_escape(section.title)}</h2>")
        lines += [f"<p>{_escape(text)}</p>" for text in section.paragraphs]
    if section.items:
        lines.append('<ul class="facts">')
        lines += [f"<li>{_escape(item)}</li>" for item in section.items]
        lines.append("</ul>")
    if section.table is not None:
        lines.append(_table(section.table))
    lines.append("</section>")
    return "\n".join(lines)


def _table(table: Table) -> str:
    def cell(tag: str, value: str | None, numeric: bool) -> str:
        css = ' class="number"' if numeric else ""
        return f"<{tag}{css}>{_escape(value)}</{tag}>"

    head = "".join(
        cell("th", header, numeric) for header, numeric in zip(table.headers, table.numeric, strict=True)
    )
    body = [
        "<tr>"
        + "".join(cell("td", value, numeric) for value, numeric in zip(row, table.numeric, strict=True))
        + "</tr>"
        for row in table.rows
    ]
    return "\n".join(["<table>", f"<thead><tr>{head}</tr></thead>", "<tbody>", *body, "</tbody>", "</table>"])


def _axis_maximum(rows: tuple[GapRow, ...]) -> float:
    # Round the largest value drawn up to a multiple of 10%, so the bars use the width.
    largest = max((max(row.ci_high, row.labelled_share, row.tagged_share) for row in rows), default=0.0)
    return min(1.0, max(0.1, math.ceil(largest * 10 - 1e-9) / 10))


def bar_chart_svg(rows: tuple[GapRow, ...], report: Report) -> str:
    """Draw tagged share vs label share per reason as horizontal bars, the tagged share's interval as a line."""
    maximum = _axis_maximum(rows)
    known = label_shares_known(report)
    plot_width = _PLOT_RIGHT - _LABEL_WIDTH
    height = _TOP + _ROW_HEIGHT * len(rows) + 28

    def x(share: float) -> float:
        return _LABEL_WIDTH + plot_width * min(share, maximum) / maximum

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_CHART_WIDTH} {height}" role="img" '
        'aria-labelledby="chart-title">',
        '<title id="chart-title">Tagged share and label share per exit reason, '
        "with the 95% interval of the tagged share</title>",
        *_legend(),
        *_axis(maximum, x, height),
    ]
    for index, row in enumerate(rows):
        parts += _bar_group(row, report.title(row.reason), _TOP + index * _ROW_HEIGHT, x, known)
    parts.append("</svg>")
    return "\n".join(parts)


def _legend() -> list[str]:
    return [
        f'<rect x="{_LABEL_WIDTH}" y="8" width="12" height="12" fill="#2f6fbf"/>',
        f'<text x="{_LABEL_WIDTH + 18}" y="18">Tagged share</text>',
        f'<line x1="{_LABEL_WIDTH + 110}" y1="14" x2="{_LABEL_WIDTH + 140}" y2="14" '
        'stroke="#102a43" stroke-width="2"/>',
        f'<text x="{_LABEL_WIDTH + 146}" y="18">95% interval</text>',
        f'<rect x="{_LABEL_WIDTH + 240}" y="8" width="12" height="12" fill="#e0a526"/>',
        f'<text x="{_LABEL_WIDTH + 258}" y="18">Label share (the dashboard)</text>',
    ]


def _axis(maximum: float, x: Callable[[float], float], height: int) -> list[str]:
    step = 0.1 if maximum <= 0.5 else 0.2
    ticks = [round(step * index, 10) for index in range(round(maximum / step) + 1)]
    bottom = height - 24
    parts = []
    for tick in ticks:
        position = x(tick)
        parts.append(
            f'<line x1="{position:.1f}" y1="{_TOP - 6}" x2="{position:.1f}" y2="{bottom}" '
            'stroke="#d9e2ec" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{position:.1f}" y="{bottom + 16}" text-anchor="middle">{tick * 100:.0f}%</text>'
        )
    return parts


def _bar_group(
    row: GapRow, title: str, top: float, x: Callable[[float], float], labelled_known: bool
) -> list[str]:
    tagged_y = top + 4
    labelled_y = tagged_y + _BAR_HEIGHT + 3
    centre = tagged_y + _BAR_HEIGHT / 2
    low, high = x(row.ci_low), x(row.ci_high)
    label = html.escape(title)
    return [
        f'<text x="{_LABEL_WIDTH - 10}" y="{labelled_y + 2:.1f}" text-anchor="end">{label}</text>',
        f'<rect x="{_LABEL_WIDTH}" y="{tagged_y:.1f}" width="{x(row.tagged_share) - _LABEL_WIDTH:.1f}" '
        f'height="{_BAR_HEIGHT}" fill="#2f6fbf"><title>{label}: tagged '
        f"{row.tagged_share * 100:.1f}% (95% interval {row.ci_low * 100:.1f}-{row.ci_high * 100:.1f}%)"
        "</title></rect>",
        (
            f'<rect x="{_LABEL_WIDTH}" y="{labelled_y:.1f}" width="{x(row.labelled_share) - _LABEL_WIDTH:.1f}" '
            f'height="{_BAR_HEIGHT}" fill="#e0a526"><title>{label}: label share '
            f"{row.labelled_share * 100:.1f}%</title></rect>"
            if labelled_known
            else f'<text x="{_LABEL_WIDTH + 4}" y="{labelled_y + _BAR_HEIGHT - 1:.1f}" fill="#627d98">'
            "label share unknown: no analytics label maps to a reason</text>"
        ),
        f'<line x1="{low:.1f}" y1="{centre:.1f}" x2="{high:.1f}" y2="{centre:.1f}" '
        'stroke="#102a43" stroke-width="2"/>',
        f'<line x1="{low:.1f}" y1="{centre - 5:.1f}" x2="{low:.1f}" y2="{centre + 5:.1f}" '
        'stroke="#102a43" stroke-width="2"/>',
        f'<line x1="{high:.1f}" y1="{centre - 5:.1f}" x2="{high:.1f}" y2="{centre + 5:.1f}" '
        'stroke="#102a43" stroke-width="2"/>',
    ]
