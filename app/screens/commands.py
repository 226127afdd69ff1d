"""The command palette provider of the triage screen: every action and every reason."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from app.keys import TRIAGE_KEYS, display_keys


class TriageCommands(Provider):
    """Lists the triage actions and one "Tag as …" command per reason."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        config = self.app.config  # type: ignore[attr-defined]
        commands: list[tuple[str, str, Callable[[], object]]] = [
            (f"Tag as {reason.title}", f"key {reason.key}", partial(screen.run_action, f"tag('{reason.id}')"))
            for reason in config.reasons
        ]
        for key in TRIAGE_KEYS:
            keys = display_keys(config.keys[key.name])
            commands.append((key.description, f"key {keys}", partial(screen.run_action, key.action)))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(Text(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
