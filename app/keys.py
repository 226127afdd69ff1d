"""The bindable actions of the triage screen: one registry for bindings, help, palette and keymap."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.keys import format_key

from queries.config import DEFAULT_KEYS, Config


@dataclass(frozen=True)
class TriageKey:
    """A bindable action: its config name, the screen action it runs, and its descriptions."""

    name: str
    action: str
    label: str
    description: str
    show: bool = True

    @property
    def binding_id(self) -> str:
        """The Textual binding id the keymap uses to rebind it."""
        return f"triage.{self.name}"


TRIAGE_KEYS: tuple[TriageKey, ...] = (
    TriageKey("accept", "accept", "accept", "Tag with the suggested reason"),
    TriageKey("undo", "undo", "undo", "Undo your last action (repeatable)"),
    TriageKey("skip", "skip", "skip", "Skip this session and move on"),
    TriageKey("flag", "flag", "flag", "Flag this session to come back to, and move on"),
    TriageKey("note", "note", "note", "Edit the note of this session"),
    TriageKey("search", "search", "search", "Fuzzy search over ids, URLs, messages and labels"),
    TriageKey("goto", "goto", "go to", "Go to a session id", show=False),
    TriageKey("next", "next", "next", "Move to the next session", show=False),
    TriageKey("previous", "previous", "previous", "Move to the previous session", show=False),
    TriageKey("next_untagged", "next_open", "next open", "Move to the next untagged session", show=False),
    TriageKey(
        "previous_untagged", "previous_open", "prev open", "Move to the previous untagged session", show=False
    ),
    TriageKey(
        "similar", "similar", "similar", "Tag the group of sessions that look like this one", show=False
    ),
    TriageKey("report", "report", "report", "Open the strip-down report", show=False),
    TriageKey("help", "help", "help", "Show every key"),
    TriageKey("quit", "quit", "quit", "Quit (every action is already saved)"),
)

# Keys for scrolling the timeline; fixed, because they mean the same in every terminal program.
SCROLL_BINDINGS = (
    Binding("pageup", "scroll_timeline('page_up')", "timeline up", show=False),
    Binding("pagedown", "scroll_timeline('page_down')", "timeline down", show=False),
    Binding("home", "scroll_timeline('home')", "timeline start", show=False),
    Binding("end", "scroll_timeline('end')", "timeline end", show=False),
)


def triage_bindings() -> list[Binding]:
    """Return the screen's bindings with their default keys and ids."""
    bindings = [
        Binding(DEFAULT_KEYS[key.name], key.action, key.label, show=key.show, id=key.binding_id)
        for key in TRIAGE_KEYS
    ]
    return [*bindings, *SCROLL_BINDINGS]


def triage_keymap(config: Config) -> dict[str, str]:
    """Return the keymap (binding id to keys) that applies the config's [keys] section."""
    return {key.binding_id: config.keys[key.name] for key in TRIAGE_KEYS}


def display_keys(keys: str) -> str:
    """Format a comma-separated key list for people: "j,down" becomes "j / ↓"."""
    return " / ".join(format_key(key.strip()) for key in keys.split(",") if key.strip())


def help_entries(config: Config) -> list[tuple[str, str]]:
    """Return (keys, description) for every key of the triage screen, reasons first."""
    entries = [(reason.key, f"Tag as {reason.title}, then go on") for reason in config.reasons]
    entries += [(display_keys(config.keys[key.name]), key.description) for key in TRIAGE_KEYS]
    entries += [(display_keys(binding.key), binding.description.capitalize()) for binding in SCROLL_BINDINGS]
    entries.append(("ctrl+p", "Command palette with every action"))
    return entries
