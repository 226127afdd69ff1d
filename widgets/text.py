"""Turn values into literal `rich.text.Text` and format durations for display.

Values from an export go through `literal` so that text such as `[bold]` or `[@click=app.quit]`
is shown as typed and never parsed as markup.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text

MISSING = "–"

# Terminal control characters from an export, mapped to something visible. Rich passes ESC through,
# so an export value such as "\x1b[2J" would clear the user's terminal. C0 controls and DEL become
# their Unicode control pictures (ESC shows as U+241B), C1 controls become U+FFFD. Tab and newline stay.
_VISIBLE_CONTROLS = {
    **{code: 0x2400 + code for code in range(0x20) if chr(code) not in "\t\n"},
    0x7F: 0x2421,
    **{code: 0xFFFD for code in range(0x80, 0xA0)},
}


def printable(text: str) -> str:
    """Return `text` with terminal control characters replaced by visible symbols."""
    return text.translate(_VISIBLE_CONTROLS)


def literal(value: object, style: str = "") -> Text:
    """Return `value` as plain text in `style`, with a dash for a missing value."""
    if value is None or value == "":
        return Text(MISSING, style="dim")
    return Text(printable(str(value)), style=style, no_wrap=True, overflow="ellipsis")


def format_duration(seconds: float) -> str:
    """Format seconds compactly: "45s", "3m 05s", "2h 04m", "3d 02h"."""
    whole = round(max(seconds, 0.0))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours:02d}h"


def format_clock(seconds: float) -> str:
    """Format seconds as a stopwatch reading: "0:04", "1:02:09"."""
    whole = int(max(seconds, 0.0))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def format_offset(seconds: float) -> str:
    """Format an offset from the session start as "+m:ss", "+h:mm:ss", or "+5d03:10" from a day on.

    From a day on the seconds are dropped, so the text still fits the timeline's offset column.
    """
    whole = int(max(seconds, 0.0))
    days, rest = divmod(whole, 86400)
    if days:
        hours, minutes = rest // 3600, rest % 3600 // 60
        return f"+{days}d{hours:02d}:{minutes:02d}"
    return "+" + format_clock(seconds)


def format_time(moment: datetime, timezone: str, *, with_date: bool = True) -> str:
    """Format a timestamp in the review's time zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")
