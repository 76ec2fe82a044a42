"""A small typed-settings base: fields with defaults and descriptions, read from the
environment with a prefix, converted to their annotated types and checked.

Why not pydantic-settings: importing it (and pydantic) was about 80% of `curbside ask`'s
import time, for six scalar fields. This keeps its shape — `Field(default, description=...)`
in the class body, `Settings(**overrides)`, `Settings.model_fields[name].description` — so
settings are declared and documented as before, with the standard library only.

    class Settings(EnvSettings, env_prefix="APP_"):
        port: int = Field(8000, description="Port to listen on.", ge=1, le=65535)
"""

from __future__ import annotations

import os
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from curbside.errors import UserError

_MISSING: Any = object()


class SettingsError(UserError):
    """A setting given in the environment or as an override has an unusable value."""


class FieldInfo(typing.NamedTuple):
    """One declared setting (what `Field` returns; `Settings.model_fields` maps names to it)."""

    default: Any = _MISSING
    default_factory: Callable[[], Any] | None = None
    description: str = ""
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None

    def make_default(self) -> Any:
        return self.default_factory() if self.default_factory else self.default


def Field(default: Any = _MISSING, *, default_factory: Callable[[], Any] | None = None,  # noqa: N802
          description: str = "", ge: float | None = None, gt: float | None = None,
          le: float | None = None, lt: float | None = None) -> Any:
    """Declare a setting: its default (or a factory), a one-line description, and bounds."""
    return FieldInfo(default, default_factory, description, ge, gt, le, lt)


class EnvSettings:
    """Base class: subclasses declare fields; instances read `<prefix><NAME>` variables."""

    model_fields: typing.ClassVar[dict[str, FieldInfo]] = {}
    env_prefix: typing.ClassVar[str] = ""

    def __init_subclass__(cls, env_prefix: str = "", **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls.env_prefix = env_prefix or cls.env_prefix
        cls.model_fields = {name: value for name, value in vars(cls).items()
                            if isinstance(value, FieldInfo)}

    def __init__(self, **overrides: Any) -> None:
        hints = typing.get_type_hints(type(self))
        for name, info in self.model_fields.items():
            env = f"{self.env_prefix}{name}".upper()
            if name in overrides:
                value, where = overrides.pop(name), f"{name}"
            elif env in os.environ:
                value, where = os.environ[env], f"{env} (environment)"
            else:
                value, where = info.make_default(), ""
            if value is _MISSING:
                raise SettingsError(f"setting {name} is required")
            if where:
                value = _convert(value, hints[name], where)
                _check_bounds(value, info, where)
            object.__setattr__(self, name, value)
        if overrides:   # a misspelt override is a bug in the caller, not user input
            raise TypeError(f"unknown settings: {', '.join(sorted(overrides))}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("settings are read-only; make a new object with overrides")

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.model_fields)
        return f"{type(self).__name__}({inner})"

    def model_dump(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in self.model_fields}


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _convert(value: Any, hint: Any, where: str) -> Any:
    """`value` as the annotated type (str from the environment, or an override)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = typing.get_args(hint)
        if value is None or (isinstance(value, str) and value == "" and type(None) in args):
            if type(None) in args:
                return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(value, arg, where)
            except SettingsError as e:
                errors.append(str(e))
        raise SettingsError(errors[0] if errors else f"{where}: no value")
    try:
        if hint is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE | _FALSE:
                return text in _TRUE
            raise ValueError(value)
        if hint is int:
            if isinstance(value, bool):
                raise ValueError(value)
            return int(str(value).strip()) if not isinstance(value, int) else value
        if hint is float:
            return float(value)
        if hint is Path:
            return Path(os.path.expanduser(str(value)))
        if hint is str:
            return str(value)
    except (TypeError, ValueError):
        name = getattr(hint, "__name__", str(hint))
        raise SettingsError(f"{where}: {value!r} is not a valid {name}") from None
    return value


def _check_bounds(value: Any, info: FieldInfo, where: str) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    checks = ((info.ge, ">=", value >= (info.ge or 0)), (info.gt, ">", value > (info.gt or 0)),
              (info.le, "<=", value <= (info.le or 0)), (info.lt, "<", value < (info.lt or 0)))
    for bound, say, ok in checks:
        if bound is not None and not ok:
            raise SettingsError(f"{where}: {value} must be {say} {bound}")
