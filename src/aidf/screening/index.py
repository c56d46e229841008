"""Matching a name against a list: blocking by token, then a score made of named features.

Blocking: every list name is filed under its tokens and their phonetic keys (metaphone), so that a
party meets only the entries sharing a word or a sound-alike word with it; a key shared by too many
names (block_max) is skipped unless the party has nothing rarer. Scoring: `features` computes each
feature's value; the score is the sum of value x weight, clipped to [0, 1], like yente's explanations.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from rapidfuzz import fuzz, process
from rigour.text import metaphone

from aidf.screening.lists import Entry
from aidf.screening.normalize import NormName, normalize
from aidf.screening.settings import Settings

# What each feature means, shown beside its value and weight.
FEATURES = {
    "name_similarity": "edit similarity of the folded names, word order or word breaks ignored (best of the name "
                       "and alternate names)",
    "token_overlap": "share of words in common (equal, sound-alike or close), generic words such as 'technology' "
                     "counting less, of the best-matching name",
    "alt_name_hit": "the folded name is exactly the entry's name or one of its alternate names",
    "country_agreement": "the party's country is one of the entry's countries",
    "country_disagreement": "the entry names countries and the party's is not among them",
    "entity_type": "the party is a company (it has a legal form) but the entry is an individual",
}


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    features: dict[str, dict]
    matched_name: str
    exact: bool            # an exact folded name or alternate name
    country_agrees: bool


@lru_cache(maxsize=200_000)
def _token_keys(t: str) -> tuple[str, ...]:
    """A word's blocking keys: itself, its sound (metaphone) and, for longer words, each spelling with
    one letter dropped, so that one typo, inserted or missing letter still meets the entry (fipel / fiael)."""
    out = [t]
    if len(t) >= 3 and not t.isdigit():
        m = metaphone(t)
        if m:
            out.append("~" + m)
    if len(t) >= 4:
        out += {"-" + t[:i] + t[i + 1:] for i in range(len(t))}
        out.append("-" + t)
    return tuple(out)


def _keys(tokens: tuple[str, ...]) -> list[str]:
    return [k for t in tokens for k in _token_keys(t)]


@lru_cache(maxsize=100_000)
def _phonetic(t: str) -> str:
    return metaphone(t) if len(t) >= 3 and not t.isdigit() else t


class ListIndex:
    """Every name and alternate name of a list version, folded and filed for blocking."""

    def __init__(self, entries: list[Entry], settings: Settings):
        self.entries = entries
        self.settings = settings
        self.owner: list[int] = []          # name index -> entry index
        self.norms: list[NormName] = []
        self.alias: list[bool] = []
        postings: dict[str, list[int]] = {}
        self.exact: dict[str, list[int]] = {}
        forms = settings.legal_forms_cjk
        for ei, e in enumerate(entries):
            for j, name in enumerate((e.name, *e.alt_names)):
                n = normalize(name, forms)
                ni = len(self.norms)
                self.owner.append(ei)
                self.norms.append(n)
                self.alias.append(j > 0)
                self.exact.setdefault(n.key, []).append(ni)
                for k in set(_keys(n.tokens)):
                    postings.setdefault(k, []).append(ni)
        self.postings = postings
        self.keys = [n.key for n in self.norms]
        self.joined = [n.joined for n in self.norms]
        w = settings.weights
        # The least name similarity that could still reach the review threshold with every other
        # feature at its best: names below it are not scored in detail.
        # (alt_name_hit is left out: it is 1 only for an exact name, whose similarity is 1.)
        others = sum(v for k, v in w.items() if k not in ("name_similarity", "alt_name_hit") and v > 0)
        # A prefilter only (the score decides), so it errs low: scores are compared rounded to 1e-4.
        self.floor = max(0.0, (settings.review - others) / w["name_similarity"] - 0.001) if w["name_similarity"] > 0 else 0.0

    def _weight(self, token: str) -> float:
        return self.settings.generic_weight if token in self.settings.generic_words else 1.0

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(self, n: NormName) -> list[int]:
        """Name indices a party name is compared with (the block)."""
        lists = [(k, self.postings.get(k, ())) for k in _keys(n.tokens)]
        lists = [(k, p) for k, p in lists if p]
        rare = [p for _, p in lists if len(p) <= self.settings.block_max]
        if not rare and lists:
            rare = [min((p for _, p in lists), key=len)]
        block = set(chain.from_iterable(rare))
        block.update(self.exact.get(n.key, ()))
        if len(block) > self.settings.candidates * 2:
            votes = Counter(chain.from_iterable(rare))
            block = {ni for ni, _ in votes.most_common(self.settings.candidates * 2)}
            block.update(self.exact.get(n.key, ()))
        return list(block)

    def screen(self, name: str, country: str | None = None, brute_force: bool = False) -> list[Hit]:
        """Entries at or above the review threshold, best first (`brute_force`: compare with every name)."""
        n = normalize(name, self.settings.legal_forms_cjk)
        pool = range(len(self.norms)) if brute_force else self.candidates(n)
        return self.score_pool(n, country, list(pool))

    def score_pool(self, n: NormName, country: str | None, pool: list[int]) -> list[Hit]:
        if not pool:
            return []
        # Name similarity in C over the whole block, on both folded forms; only names that could
        # still reach the review threshold are scored feature by feature.
        sims: dict[int, float] = {}
        for query, forms in ((n.key, self.keys), (n.joined, self.joined)):
            for _, sim, at in process.extract(query, [forms[i] for i in pool], scorer=fuzz.ratio,
                                              score_cutoff=self.floor * 100, limit=None):
                i = pool[at]
                sims[i] = max(sims.get(i, 0.0), sim / 100)
        best: dict[int, Hit] = {}
        for i, sim in sims.items():
            hit = self._hit(n, country, i, sim)
            ei = self.owner[i]
            if hit is not None and (ei not in best or hit.score > best[ei].score):
                best[ei] = hit
        return sorted(best.values(), key=lambda h: (-h.score, h.entry.entry_id))[: self.settings.candidates]

    def _hit(self, n: NormName, country: str | None, i: int, sim: float) -> Hit | None:
        """The hit of one name, or None below the review threshold."""
        e = self.entries[self.owner[i]]
        other = self.norms[i]
        w = self.settings.weights
        exact = other.key == n.key
        agree = 1.0 if country and country in e.countries else 0.0
        disagree = 1.0 if country and e.countries and not agree else 0.0
        person = 1.0 if n.is_organization and (e.type or "").lower() == "individual" else 0.0
        fixed = (round(sim, 4) * w["name_similarity"] + (w["alt_name_hit"] if exact else 0.0)
                 + agree * w["country_agreement"] + disagree * w["country_disagreement"] + person * w["entity_type"])
        if fixed + w["token_overlap"] + 0.001 < self.settings.review:  # even full overlap cannot reach it
            return None
        values = {
            "name_similarity": round(sim, 4),
            "token_overlap": round(self._overlap(n.tokens, other.tokens), 4),
            "alt_name_hit": 1.0 if exact else 0.0,
            "country_agreement": agree,
            "country_disagreement": disagree,
            "entity_type": person,
        }
        score = round(min(1.0, max(0.0, sum(round(v * w[k], 4) for k, v in values.items()))), 4)
        if score < self.settings.review:
            return None
        feats = {k: {"value": v, "weight": w[k], "contribution": round(v * w[k], 4), "why": FEATURES[k]}
                 for k, v in values.items()}
        return Hit(e, score, feats, other.original, exact, bool(agree))

    def _overlap(self, a: tuple[str, ...], b: tuple[str, ...]) -> float:
        """Weighted Dice share of words in common; a word counts when equal, sound-alike (metaphone) or a
        close spelling (edit similarity >= TOKEN_CLOSE, e.g. transliterations tekh / teh); generic words
        count generic_weight."""
        weight = self._weight
        total = sum(map(weight, a)) + sum(map(weight, b))
        if not total:
            return 0.0
        common = sum(weight(t) for t in a if _has_partner(t, b)) + sum(weight(t) for t in b if _has_partner(t, a))
        return common / total


TOKEN_CLOSE = 80


def _has_partner(t: str, others: tuple[str, ...]) -> bool:
    if t in others:
        return True
    pt = _phonetic(t)
    if any(_phonetic(u) == pt for u in others):
        return True
    return process.extractOne(t, others, scorer=fuzz.ratio, score_cutoff=TOKEN_CLOSE) is not None
