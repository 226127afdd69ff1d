"""The facts panel: when, how long, where from, how far, the analytics label, signals, and how many
untagged sessions look alike."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text
from textual.widget import Widget

from queries.config import Config
from queries.review import SessionDetail
from widgets.text import MISSING, format_duration, format_time, literal

LABEL_STYLE = "dim"
LOOK_ALIKES = "look-alikes"


def fact_line(*parts: tuple[str, object] | Text) -> Text:
    """Join "name value" pairs into one line; names are dim, values literal."""
    line = Text(no_wrap=True, overflow="ellipsis")
    for index, part in enumerate(parts):
        if index:
            line.append("  ")
        if isinstance(part, Text):
            line.append_text(part)
            continue
        name, value = part
        line.append(f"{name} ", style=LABEL_STYLE)
        line.append_text(literal(value, "bold" if name == "session" else ""))
    return line


class SessionFactsPanel(Widget):
    """The facts of the current session, in a fixed number of lines."""

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._config = config
        self._content: RenderableType = Text("")
        self._facts: list[Text] | None = None
        self._look_alikes = counting_line()

    def render(self) -> RenderableType:
        return self._content

    def show_message(self, message: str) -> None:
        """Show one line of explanation in place of the facts."""
        self._facts = None
        self._content = Text(message, style="dim italic")
        self.refresh()

    def show_session(self, detail: SessionDetail) -> None:
        """Show the facts and signal badges of a session."""
        self._facts = self._lines(detail)
        self._content = Group(*self._facts, self._look_alikes)
        self.refresh()

    def show_look_alikes(self, line: Text) -> None:
        """Show `line` (see `look_alikes_line`) below the facts of the session on show."""
        self._look_alikes = line
        if self._facts is not None:
            self._content = Group(*self._facts, line)
            self.refresh()

    def _lines(self, detail: SessionDetail) -> list[Text]:
        facts = detail.facts
        if facts is None:
            return [
                fact_line(("session", detail.session_id)),
                Text("not in the sessions table; re-derive sessions with stripdown import", style="yellow"),
            ]
        zone = self._config.timezone
        duration = (facts.ended_at - facts.started_at).total_seconds()
        return [
            fact_line(
                ("session", facts.session_id),
                ("events", facts.events),
                ("took", format_duration(duration)),
                ("user", facts.user_id),
            ),
            fact_line(
                ("started", format_time(facts.started_at, zone)),
                ("ended", format_time(facts.ended_at, zone, with_date=False)),
            ),
            fact_line(("channel", facts.channel), ("device", facts.device)),
            fact_line(("landing", facts.landing_url)),
            fact_line(("exit", facts.exit_url)),
            fact_line(("furthest stage", facts.furthest_stage), ("exit stage", facts.exit_stage)),
            self._label_line(facts.label),
            self._signal_line(detail),
        ]

    def _label_line(self, label: str | None) -> Text:
        line = fact_line(("label", label))
        mapped = self._config.label_map.get(label) if label is not None else None
        reason = self._config.reason(mapped) if mapped else None
        line.append("  → ", style=LABEL_STYLE)
        if reason is not None:
            line.append(reason.title, style="bold")
        else:
            line.append("no reason in the label map", style=LABEL_STYLE)
        return line

    def _signal_line(self, detail: SessionDetail) -> Text:
        line = Text("signals ", style=LABEL_STYLE, no_wrap=True, overflow="ellipsis")
        if not detail.signals:
            line.append(MISSING, style="dim")
            return line
        for index, signal in enumerate(detail.signals):
            if index:
                line.append(" ")
            line.append(f" {signal.signal} ", style="bold reverse red")
            line.append(" ")
            line.append_text(literal(signal.description))
        return line


def counting_line() -> Text:
    """Return the look-alikes line to show while they are being counted."""
    line = Text(f"{LOOK_ALIKES} ", style=LABEL_STYLE, no_wrap=True, overflow="ellipsis")
    line.append("counting…", style="dim italic")
    return line


def look_alikes_line(count: int | None, key: str) -> Text:
    """Say how many untagged sessions look like this one and which key tags them; None means unknown."""
    line = Text(f"{LOOK_ALIKES} ", style=LABEL_STYLE, no_wrap=True, overflow="ellipsis")
    if count is None:
        line.append(MISSING, style="dim")
    elif count == 0:
        line.append("none among the untagged sessions", style="dim")
    else:
        line.append(f"{count} untagged", style="bold")
        line.append(" · ", style=LABEL_STYLE)
        line.append(key, style="bold")
        line.append(" to tag them", style=LABEL_STYLE)
    return line
