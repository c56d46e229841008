"""What every command shares: one-line refusals, opening a ledger, consoles that wrap instead of cutting."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from aidf.errors import InputError

DEFAULT_LEDGER = os.path.join(".aidf", "ledger.sqlite")
SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")


_NOTES: list[str] = []  # told once the command has succeeded, so a refusal stays one line


def refusing(callback):
    """Turn refused input into one line `error: field: reason` and exit code 2; on success, say the
    notes the command left (such as a newly created ledger)."""

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        _NOTES.clear()
        try:
            out = callback(*args, **kwargs)
        except InputError as e:
            _NOTES.clear()
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2) from None
        except typer.Exit as e:
            if e.exit_code:
                _NOTES.clear()
            raise
        while _NOTES:
            say(_NOTES.pop(0))
        return out

    run.refusing = True  # type: ignore[attr-defined]
    return run


def say(message: str) -> None:
    """A note for the person at the terminal, on stderr so that stdout stays the answer."""
    typer.echo(message, err=True)


def console(**kwargs: Any):
    """A Rich console whose tables wrap their cells at the terminal width instead of cutting them."""
    from rich.console import Console

    return Console(soft_wrap=False, **kwargs)


def table(*columns: str, title: str | None = None, right: tuple[str, ...] = ()):
    """A Rich table whose cells fold onto more lines rather than end in an ellipsis."""
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c, overflow="fold", justify="right" if c in right else "left")
    return t


@dataclass
class LedgerSpec:
    spec: str  # what open_ledger is given
    label: str  # what people are told
    path: Path | None  # the SQLite file, if it is one
    new: bool  # the file does not exist yet


def ledger_spec(given: str | None) -> LedgerSpec:
    """Check --ledger before anything opens it: a new SQLite file only in an existing folder (the default
    .aidf/ folder excepted), and only database URLs the store speaks."""
    spec = (given or os.environ.get("AIDF_LEDGER") or DEFAULT_LEDGER).strip()
    if spec == "memory":
        return LedgerSpec(spec, "a memory ledger (gone when the command ends)", None, False)
    if "://" in spec:
        scheme = spec.split("://", 1)[0].lower()
        if scheme not in SCHEMES:
            raise InputError("--ledger", f"unsupported database URL scheme {scheme!r}; use a SQLite file, "
                                         "sqlite:///FILE or postgresql://user@host/db")
        if scheme != "sqlite":
            return LedgerSpec(spec, _hide_password(spec), None, False)
        spec = spec.split("://", 1)[1].removeprefix("/") if spec.startswith("sqlite:///") else spec
    path = Path(spec).expanduser()
    if path.is_dir():
        raise InputError("--ledger", f"{spec} is a folder; give a file such as {path / 'ledger.sqlite'}")
    default = os.path.normpath(spec) == os.path.normpath(DEFAULT_LEDGER)
    if not path.exists() and not default and not path.parent.is_dir():
        raise InputError("--ledger", f"folder {str(path.parent)!r} does not exist; create it first "
                                     "(a ledger is only created in an existing folder)")
    return LedgerSpec(str(path), str(path), path, not path.exists())


def _hide_password(url: str) -> str:
    head, _, rest = url.partition("://")
    if "@" in rest:
        cred, _, host = rest.rpartition("@")
        return f"{head}://{cred.split(':', 1)[0]}@{host}"
    return url


def open_store(given: str | None, *, quiet: bool = False):
    """Open the ledger named by --ledger, announcing a newly created one; any failure is one line."""
    s = ledger_spec(given)
    from aidf.ledger import open_ledger

    try:
        store = open_ledger(s.spec)
    except (ValueError, OSError) as e:
        raise InputError("--ledger", str(e).splitlines()[0]) from None
    except Exception as e:  # unreachable database, refused login: the cause in one line
        raise InputError("--ledger", f"cannot open {s.label}: {_first_line(e)}") from None
    if s.new and not quiet:
        _NOTES.append(f"created a new ledger at {s.label}")
    return store, s


def _first_line(e: Exception) -> str:
    cause = getattr(e, "orig", None) or e
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def close(store: Any) -> None:
    fn = getattr(store, "close", None)
    if fn is not None:
        fn()
