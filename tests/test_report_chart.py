"""The terminal bar chart of the report screen, drawn as text."""

from __future__ import annotations

from widgets.chart import (
    LABELLED_STYLE,
    TAGGED_STYLE,
    ChartRow,
    axis_maximum,
    chart_text,
    labelled_line,
    tagged_line,
)

HALF = ChartRow("Broken code", tagged_share=0.5, labelled_share=0.2, ci_low=0.25, ci_high=0.75)


def test_tagged_line_draws_interval() -> None:
    line = tagged_line(HALF, maximum=1.0, width=20)
    # Bar over columns 0-9, interval marks at columns 5 and 15, a rule between bar end and mark.
    assert line.plain == "     ├    ─────┤    "
    bar_spans = [span for span in line.spans if TAGGED_STYLE in str(span.style)]
    assert min(span.start for span in bar_spans) == 0
    assert max(span.end for span in bar_spans) == 10


def test_tagged_line_narrow_interval() -> None:
    row = ChartRow("Too slow", 0.1, 0.0, 0.1, 0.1)
    assert tagged_line(row, maximum=1.0, width=10).plain == " ┼        "


def test_labelled_line_fills_share() -> None:
    line = labelled_line(HALF, maximum=1.0, width=20)
    assert line.plain == " " * 20
    assert [(span.start, span.end, str(span.style)) for span in line.spans] == [(0, 4, LABELLED_STYLE)]


def test_axis_maximum_rounds_up_to_tenths() -> None:
    assert axis_maximum([HALF]) == 0.8
    assert axis_maximum([ChartRow("x", 0.01, 0.0, 0.0, 0.04)]) == 0.1
    assert axis_maximum([ChartRow("x", 1.0, 1.0, 0.9, 1.0)]) == 1.0
    assert axis_maximum([]) == 0.1


def test_chart_text_lines_per_reason() -> None:
    text = chart_text([HALF, ChartRow("[b]x[/b]", 0.1, 0.3, 0.05, 0.2)], width=80)
    lines = text.plain.splitlines()
    # Legend, two lines per reason, the scale.
    assert len(lines) == 6
    assert lines[1].startswith("Broken code tagged ")
    assert lines[1].endswith(" 50% (25-75%)")
    assert lines[2].endswith(" 20%")
    assert lines[3].startswith("[b]x[/b]    tagged ")
    assert lines[5].strip().startswith("0%")
    assert lines[5].strip().endswith("80%")


def test_chart_text_without_rows() -> None:
    assert chart_text([], width=80).plain == "No tagged sessions yet, so there is nothing to chart."


def test_chart_text_unknown_label_share() -> None:
    row = ChartRow("Broken code", tagged_share=0.5, labelled_share=None, ci_low=0.25, ci_high=0.75)
    lines = chart_text([row], 100).plain.splitlines()
    label_line = next(line for line in lines if " label  " in line and "share" not in line)
    assert label_line.rstrip().endswith("– (no label maps to a reason)")
    assert "%" not in label_line
