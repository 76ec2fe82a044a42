"""Settings: one typed object, read from the environment (prefix CURBSIDE_).

Every field has a default and a one-line description; docs/settings.md lists them and a
test fails when one is undocumented. The base class (settings_base.py) is a small stand-in
for pydantic-settings with the same shape, because importing pydantic cost most of the
start-up time of every `curbside` command.
"""

from __future__ import annotations

from pathlib import Path

from curbside.settings_base import EnvSettings, Field


def _default_db() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("curbside", appauthor=False)) / "curbside.db"


class Settings(EnvSettings, env_prefix="CURBSIDE_"):
    """Curbside's settings; each can be set as an environment variable CURBSIDE_<NAME>."""

    db: Path = Field(default_factory=_default_db,
                     description="Path of the SQLite store file (default: per-user data dir).")
    max_question_chars: int = Field(2000, description="Longest question accepted, in characters.")
    search_limit: int = Field(10, description="Default number of search results.")
    ask_per_minute: float = Field(30.0, description="Questions a web client may ask per minute.")
    ask_burst: int = Field(10, description="Questions a web client may ask at once before "
                                           "the per-minute rate applies.")
    busy_timeout_ms: int = Field(10000,
                                 description="How long a writer waits for the store lock, in ms.")
    read_per_minute: float = Field(120.0, description="Searches and re-renders (library and "
                                   "API search, ?audience=) a web client may make per minute.")
    read_burst: int = Field(30, description="Searches and re-renders a web client may make at "
                                            "once before the per-minute rate applies.")
    trusted_proxies: str = Field("", description="Comma-separated addresses or networks of "
                                 "reverse proxies whose X-Forwarded-For is believed.")
    # Sign-in and sessions (docs/review.md).
    login_free_failures: int = Field(3, description="Failed sign-ins from one address to one "
                                     "account before that pair has to wait.")
    login_backoff_seconds: float = Field(2.0, description="First wait after the free failures; "
                                         "it doubles with each further failure.")
    login_backoff_max_seconds: float = Field(900.0, description="Longest wait between sign-in "
                                             "attempts of one address to one account.")
    session_lifetime_hours: float = Field(12.0, description="A session ends this long after "
                                          "sign-in, whatever happens.")
    session_idle_minutes: float = Field(120.0, description="A session ends after this long "
                                        "without a request.")
    # Reader limits (docs/store.md, "Limits on input files").
    max_file_bytes: int = Field(1 << 30, description="Bytes read from one input file as "
                                "stored (compressed or not).")
    max_member_bytes: int = Field(1 << 30, description="Bytes decompressed from one zip "
                                  "archive member.")
    max_decompressed_bytes: int = Field(4 << 30, description="Bytes decompressed from one "
                                        "gzip file.")
    max_compression_ratio: float = Field(100.0, description="Most decompressed bytes per "
                                         "compressed byte (past the first MiB).")
    max_depth: int = Field(64, description="Deepest nesting read in JSON, YAML or XML.")
    max_yaml_nodes: int = Field(100_000, description="Most values a YAML block may stand "
                                "for with its aliases expanded (billion-laughs guard).")
    max_field_chars: int = Field(2_000_000, description="Longest text of one section, in "
                                 "characters.")
    max_sections: int = Field(2000, description="Most sections (passages) one record may have.")


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (e.g. --db) on top."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)
