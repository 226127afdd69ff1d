"""Config validation: every invalid key or value names the key, the value and what is allowed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.commands.config_cmd import render_config
from queries.config import Config, load_config, parse_config
from queries.errors import StripdownError
from queries.workspace import Workspace
from tests.model_workspace import CONFIG, run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "stripdown.example.toml"

# Each case: config text, then fragments the message must contain (the key, the value, what is allowed).
CONFIG_ERRORS = [
    ("[funnell]\n", ["[funnell]", "funnel"]),
    ("[import]\ngap = 5\n", ["import.gap", "session_gap"]),
    ('[import]\nsession_gap = "soon"\n', ["import.session_gap", "'soon'", '"30m"']),
    ("[import]\nsession_gap = 0\n", ["import.session_gap", "0", "positive duration"]),
    ("[import]\nsession_gap = true\n", ["import.session_gap", "True", "duration"]),
    ('[import]\ntimezone = "Mars/Olympus"\n', ["import.timezone", "'Mars/Olympus'", "IANA"]),
    ("[import]\ntimezone = 1\n", ["import.timezone", "1", "IANA"]),
    ('[import.map]\nsesion = "sid"\n', ["import.map.sesion", "'sid'", "session_id"]),
    ("[import.map]\nsession_id = 3\n", ["import.map.session_id", "3", "column"]),
    ('[import]\nmap = "sid"\n', ["import.map", "'sid'", "a table"]),
    ('[funnel]\nstages = "cart"\n', ["funnel.stages", "'cart'", "list of tables"]),
    ("[funnel]\nsteps = []\n", ["funnel.steps", "stages"]),
    ('[funnel]\nstages = ["cart"]\n', ["funnel.stages[0]", "'cart'", "a table"]),
    (
        '[funnel]\nstages = [{ name = "cart", path = "/cart" }]\n',
        ["funnel.stages[0].path", "name, event, url"],
    ),
    ('[funnel]\nstages = [{ url = "/cart" }]\n', ["funnel.stages[0].name", "None", "stage name"]),
    ('[funnel]\nstages = [{ name = "" , url = "/cart" }]\n', ["funnel.stages[0].name", "''", "non-empty"]),
    ('[funnel]\nstages = [{ name = "cart" }]\n', ["funnel.stages[0]", "event, a url glob, or both"]),
    (
        '[funnel]\nstages = [{ name = "cart", url = "/cart" }, { name = "cart", event = "paid" }]\n',
        ["funnel.stages[1].name", "'cart'", "no other stage"],
    ),
    (
        '[funnel]\nstages = [{ name = "cart", url = "cart" }]\n',
        ["funnel.stages[0].url", "'cart'", "starting with /"],
    ),
    (
        '[funnel]\nstages = [{ name = "cart", url = "https://shop.example/cart" }]\n',
        ["funnel.stages[0].url", "https://shop.example/cart", "URL path"],
    ),
    (
        '[funnel]\nstages = [{ name = "cart", event = 5 }]\n',
        ["funnel.stages[0].event", "5", "non-empty string"],
    ),
    ('[label]\ncolumn = ""\n', ["label.column", "''", "non-empty string"]),
    ('[label]\nfield = "x"\n', ["label.field", "column, map"]),
    ('[label.map]\n"Payment error" = "payment"\n', ['label.map."Payment error"', "'payment'", "broken_code"]),
    ("reasons = []\n", ["reasons", "[]", "[[reasons]]"]),
    ('reasons = ["broken"]\n', ["reasons[0]", "'broken'", "a table"]),
    ('[[reasons]]\nid = "Broken"\ntitle = "B"\nkey = "1"\n', ["reasons[0].id", "'Broken'", "lower-case"]),
    (
        '[[reasons]]\nid = "broken"\ntitle = "B"\nkey = "10"\n',
        ["reasons[0].key", "'10'", "one letter or digit"],
    ),
    (
        '[[reasons]]\nid = "broken"\ntitle = "B"\nkey = "1"\ncolour = "red"\n',
        ["reasons[0].colour", "'red'", "id, title"],
    ),
    ('[[reasons]]\nid = "broken"\nkey = "1"\ndescription = 3\n', ["reasons[0].description", "3", "a string"]),
    (
        '[[reasons]]\nid = "a"\nkey = "1"\n[[reasons]]\nid = "a"\nkey = "2"\n',
        ["reasons[1].id", "'a'", "no other reason"],
    ),
    (
        '[[reasons]]\nid = "a"\nkey = "1"\n[[reasons]]\nid = "b"\nkey = "1"\n',
        ["reasons[1].key", "'1'", "reason a does not already use"],
    ),
    ("[signals]\nrage_clicks = 3\n", ["signals.rage_clicks", "rage_click_count"]),
    ("[signals]\nrage_click_count = 0\n", ["signals.rage_click_count", "0", "at least 1"]),
    ("[signals]\nform_retry_count = 1.5\n", ["signals.form_retry_count", "1.5", "whole number"]),
    ('[signals]\nslow = "fast"\n', ["signals.slow", "'fast'", "duration"]),
    ("[signals]\nidle = -5\n", ["signals.idle", "-5", "duration"]),
    ("[signals]\nerror_status = 700\n", ["signals.error_status", "700", "between 100 and 599"]),
    (
        '[signals]\nnot_found_statuses = ["404"]\n',
        ["signals.not_found_statuses", "['404']", "HTTP status codes"],
    ),
    ('[signals]\nbot_pattern = "(bot"\n', ["signals.bot_pattern", "'(bot'", "regular expression"]),
    ("[signals]\nsimilarity = 150\n", ["signals.similarity", "150", "at most 100"]),
    ('[review]\ntime_box = "forever"\n', ["review.time_box", "'forever'", "duration"]),
    ("[review]\nbreak = 5\n", ["review.break", "time_box"]),
    ('[keys]\njump = "x"\n', ["keys.jump", "'x'", "next"]),
    ('[keys]\nnext = ""\n', ["keys.next", "''", "Textual key name"]),
    ('[keys]\nundo = "q"\n', ["keys.undo", "'q'", "q is also bound to quit"]),
    ('[keys]\nundo = "x"\nskip = "z,x"\n', ["keys.skip", "'z,x'", "x is also bound to undo"]),
    ("[funnel\n", ["not valid TOML"]),
]


@pytest.mark.parametrize(
    ("text", "fragments"), CONFIG_ERRORS, ids=[case[0].split("\n")[0][:40] for case in CONFIG_ERRORS]
)
def test_invalid_config_message(text: str, fragments: list[str]) -> None:
    with pytest.raises(StripdownError) as caught:
        parse_config(text, source="review.toml")
    message = caught.value.message
    assert message.startswith("review.toml")
    for fragment in fragments:
        assert fragment in message
    assert "\n" not in message


def test_config_defaults() -> None:
    config = parse_config("")
    assert config.session_gap == 1800.0
    assert config.timezone == "UTC"
    assert config.stages == ()
    assert config.label_column is None
    assert [reason.id for reason in config.reasons] == [
        "broken_code",
        "form_rejected_input",
        "dead_link",
        "confusing_copy",
        "hidden_control",
        "too_slow",
        "price",
        "interruption",
        "not_a_real_exit",
        "cant_tell",
    ]
    assert [reason.key for reason in config.reasons] == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]
    assert config.time_box == 7200.0


def _settings(config: Config) -> dict[str, object]:
    return {
        field.name: getattr(config, field.name)
        for field in dataclasses.fields(Config)
        if field.name != "text"
    }


def test_example_config_parses() -> None:
    config = parse_config(EXAMPLE.read_text(encoding="utf-8"), source=str(EXAMPLE))
    assert len(config.stages) >= 3
    assert config.label_column is not None
    assert config.label_map


def test_example_names_every_key() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    keys = ["session_gap", "timezone", "[import.map]", "stages", "column", "[label.map]", "[[reasons]]"]
    keys += [field.name for field in dataclasses.fields(Config().signals)]
    keys += ["time_box", *Config().keys]
    for key in keys:
        assert key in text, key


def test_docs_name_every_key() -> None:
    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    keys = ["`session_gap`", "`timezone`", "`[import.map]`", "`stages`", "`[label]`", "`column`"]
    keys += ["`[label.map]`", "`[[reasons]]`", "`[review]`", "`[keys]`"]
    keys += [f"`{field.name}`" for field in dataclasses.fields(Config().signals)]
    keys += ["time_box", *(f"`{action}`" for action in Config().keys)]
    for key in keys:
        assert key in text, key


@pytest.mark.parametrize("source", ["defaults", "example"])
def test_rendered_config_round_trip(source: str) -> None:
    config = Config() if source == "defaults" else parse_config(EXAMPLE.read_text(encoding="utf-8"))
    assert _settings(parse_config(render_config(config))) == _settings(config)


def _stored_config_workspace(path: Path) -> Path:
    with Workspace.open(path) as workspace:
        workspace.save_config(load_config(CONFIG))
    return path


def test_config_command_prints_defaults(workspace: Workspace) -> None:
    workspace.close()
    result = run_cli("config", "-w", workspace.path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# No config is stored")
    assert _settings(parse_config(result.stdout)) == _settings(Config())


def test_config_command_prints_stored(workspace_path: Path) -> None:
    result = run_cli("config", "-w", _stored_config_workspace(workspace_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == CONFIG.read_text(encoding="utf-8")


def test_config_command_rejects_invalid(workspace_path: Path, tmp_path: Path) -> None:
    _stored_config_workspace(workspace_path)
    bad = tmp_path / "bad.toml"
    bad.write_text('[funnel]\nstages = [{ name = "cart" }]\n')
    result = run_cli("config", "-w", workspace_path, bad)
    assert result.returncode == 1
    assert f"stripdown: {bad}: funnel.stages[0]" in result.stderr
    assert "Traceback" not in result.stderr
    with Workspace.open(workspace_path, create=False) as workspace:
        assert workspace.config.text == CONFIG.read_text(encoding="utf-8")


def test_config_command_missing_file(workspace_path: Path, tmp_path: Path) -> None:
    _stored_config_workspace(workspace_path)
    result = run_cli("config", "-w", workspace_path, tmp_path / "absent.toml")
    assert result.returncode == 1
    assert "absent.toml not found" in result.stderr


def test_config_command_missing_workspace(tmp_path: Path) -> None:
    result = run_cli("config", "-w", tmp_path / "none.duckdb")
    assert result.returncode == 1
    assert "not found" in result.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_swapped_keys_are_accepted() -> None:
    config = parse_config('[keys]\nquit = "u"\nundo = "q"\n', source="swap.toml")
    assert config.keys["quit"] == "u"
    assert config.keys["undo"] == "q"
