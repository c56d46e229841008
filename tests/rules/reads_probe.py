"""Record which facts a provision reads: Facts and Line wrapped so that every attribute read is logged.

Paths are the attributes a provision asks for, one level into the transaction, the consignee, the
line and its classification (`tx.action`, `consignee.veu`, `line.cls.level`); methods the Facts
object offers (`warn`, `rests_on`) are bookkeeping, not facts, and are not logged.
"""

from __future__ import annotations

from typing import Any

NOT_FACTS = {"warn", "rests_on", "warnings", "hq_summary"}
NESTED = {"tx", "consignee", "entities", "entities.party", "line.cls", "line.item"}


class Recorder:
    """A read-only stand-in for a Facts or Line object that logs the attribute paths read."""

    def __init__(self, obj: Any, log: set[str], prefix: str = ""):
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._obj, name)
        if name in NOT_FACTS and not self._prefix:
            return value
        path = self._prefix + name
        if path not in NESTED:
            self._log.add(path)
            return value
        if isinstance(value, list):
            return [Recorder(v, self._log, path + ".") for v in value]
        return Recorder(value, self._log, path + ".")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a provision may not change the facts ({self._prefix}{name})")
