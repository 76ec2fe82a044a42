"""Settings: one typed object, read from the environment (prefix CURBSIDE_).

Every field has a default and a one-line description; docs/settings.md lists them and a
test fails when one is undocumented.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_db() -> Path:
    return Path(user_data_dir("curbside", appauthor=False)) / "curbside.db"


class Settings(BaseSettings):
    """Curbside's settings; each can be set as an environment variable CURBSIDE_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="CURBSIDE_", extra="ignore")

    db: Path = Field(default_factory=_default_db,
                     description="Path of the SQLite store file (default: per-user data dir).")
    max_question_chars: int = Field(2000, description="Longest question accepted, in characters.")
    search_limit: int = Field(10, description="Default number of search results.")
    ask_per_minute: float = Field(30.0, description="Questions a web client may ask per minute.")
    ask_burst: int = Field(10, description="Questions a web client may ask at once before "
                                           "the per-minute rate applies.")
    busy_timeout_ms: int = Field(10000,
                                 description="How long a writer waits for the store lock, in ms.")


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (e.g. --db) on top."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
