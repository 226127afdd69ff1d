"""The short time formats of the triage screen."""

from __future__ import annotations

import pytest

from widgets.text import format_offset
from widgets.timeline import OFFSET_WIDTH


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "+0:00"),
        (65, "+1:05"),
        (3600 * 23 + 59 * 60 + 59, "+23:59:59"),
        (86400, "+1d00:00"),
        (86400 * 5 + 3 * 3600 + 10 * 60 + 59, "+5d03:10"),
        (-3, "+0:00"),
    ],
)
def test_format_offset(seconds: float, text: str) -> None:
    assert format_offset(seconds) == text


def test_offsets_under_ten_days_fit_column() -> None:
    longest = format_offset(86400 * 10 - 1)
    assert longest == "+9d23:59"
    assert len(format_offset(86400 - 1)) <= OFFSET_WIDTH
    assert len(longest) <= OFFSET_WIDTH
