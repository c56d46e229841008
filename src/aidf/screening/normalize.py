"""Names folded for comparison: Unicode folding and transliteration, legal forms stripped (and kept
as a record), punctuation dropped, tokens sorted so that word order does not matter.

Legal-form tables come from `rigour` (ISO 20275 and national forms: LLC, GmbH, OOO, Co., Ltd.);
forms written without spaces (有限公司, 株式会社) are stripped from a small dated list first, since a
word boundary cannot find them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rigour.names import extract_org_types, remove_org_types
from rigour.text import ascii_text

_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class NormName:
    original: str
    tokens: tuple[str, ...]        # sorted, de-duplicated
    joined: str                    # the words in their order, without spaces (semi conductor = semiconductor)
    legal_forms: tuple[str, ...]   # what was stripped, in its compare form (llc, gmbh, ooo, coltd)

    @property
    def key(self) -> str:
        """The words sorted and joined: equal keys are an exact folded match."""
        return self._key

    def __post_init__(self) -> None:
        object.__setattr__(self, "_key", " ".join(self.tokens))

    @property
    def is_organization(self) -> bool:
        return bool(self.legal_forms)


def _strip_cjk(text: str, forms: tuple[str, ...]) -> tuple[str, list[str]]:
    found = []
    for form in forms:
        if form in text:
            found.append(form)
            text = text.replace(form, " ")
    return text, found


def _strip_forms(text: str) -> tuple[str, list[str]]:
    found = [target for _, target in extract_org_types(text)]
    if not found:
        return text, found
    stripped = remove_org_types(text, replacement=" ")
    return (stripped if stripped.strip() else text), found


@lru_cache(maxsize=200_000)
def normalize(name: str, cjk_forms: tuple[str, ...] = ()) -> NormName:
    """Fold one name. Pure and cached: lists and order books repeat names."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text, forms = _strip_cjk(text, cjk_forms)
    text, found = _strip_forms(text)  # in the original script (ООО, GmbH)
    forms += found
    text = ascii_text(text).lower()
    text, found = _strip_forms(text)  # and after transliteration (co., ltd.)
    forms += found
    words = [t for t in _NON_WORD.split(text) if t]
    if not words:  # a name that is only a legal form keeps it as its name
        words = [t for t in _NON_WORD.split(ascii_text(name).lower()) if t]
    return NormName(name, tuple(sorted(set(words))), "".join(words), tuple(dict.fromkeys(forms)))
