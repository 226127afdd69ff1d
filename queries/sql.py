"""Load the SQL files that sit beside the Python that runs them."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load_sql(name: str, package: str = "queries") -> str:
    """Return the text of `name` (for example "schema.sql") from `package`."""
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")
