"""Shape keys: the facts a line's static decision reads, as a handful of small integers per line.

A line's static answer (static.evaluate) is a function of what the provisions read, not of the
raw cells. Here each line is reduced to those facts, computed columnar from small look-up tables:

- context: rule set and date epoch (the parameters in force, every date test against them);
- item class: ECCN, level, weights or not, datacenter, indeterminate, weights storage, whether the
  vendor is an unapproved IC designer, whether the chip falls under the 2026 China review policy;
- destination: tier, the Part 740 group tests, membership of every country list in the
  parameters (after aliases such as Hong Kong -> China), the Part 746 section that reaches it and
  whether it is the United States (772.1); the region of 746.6 (destination_region);
- each party (consignee, end user): tier of its location, tier of its headquarters and ultimate
  parent and whether those are in the US or A:5/A:6, private sector, VEU type; the consignee's
  headquarters being the US itself (UVEU share test);
- the transaction: action, shipped directly, end use among ACM's end uses.

Facts a line provably cannot reach are masked (set to 0) before the key is packed:
- an indeterminate or unclassified item (NEEDS_REVIEW / NLR) and a line with no license
  requirement (NLR) depend on the item class alone;
- under the pre-framework rule sets only NAC/ACA and the review policy run: private sector, end
  use, direct shipment, VEU and locations are not read;
- 4E091 weights under the framework: only AIA (a)(2)/(a)(3) and the weights review policy decide.
Every mask mirrors a test in the engine's provisions (license_requirements.py, exceptions/,
veu.py, review_policy.py); the tests check that lines merged by a key get the same plan as when
decided one by one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import polars as pl

from aidf.model import ISO2
from aidf.rules import part746
from aidf.rules.countries import Geography
from aidf.rules.parameters import Parameters, all_values
from aidf.rules.ruleset import resolve

CODES: list[str] = sorted(ISO2)
NC = len(CODES) + 1  # index 0: no country
COUNTRY = pl.Enum(CODES)
ACTIONS = ["export", "reexport", "transfer"]
AIA = "part740/aia"
ACM = "part740/acm"
CHINA = "part742/china_review_2026"
LPP = "part740/lpp"
ALLOC = "part742/country_allocation"


# The shape-key fields that carry each fact a provision reads (the provisions' READS). The key holds
# exactly the fields some provision's READS names; a fact read by a provision and carried by no field
# stops replay (key_fields), so a new reading in a provision cannot be silently merged away.
HQ = ("c_hq", "c_par", "e_hq", "e_par")
CARRIED_BY: dict[str, tuple[str, ...]] = {
    "p": ("ctx",), "geo": ("ctx",), "ruleset": ("ctx",), "tx.date": ("ctx",),
    "dest": ("dsig",), "dest_tier": ("dsig",),
    "d5_hq": HQ, "all_tier1_hq": HQ, "entities.hq": HQ, "entities.parent_hq": HQ, "entities.tier1_hq": HQ,
    "consignee.hq": ("c_hq", "c_us"),
    "entities.party.country": ("c_loc", "e_loc"), "entities.party.private_sector": ("c_priv", "e_priv"),
    "entities.role": ("e_present",),
    "tx.action": ("action",), "tx.end_use": ("acm", "eu"), "tx.direct_to_consignee": ("direct",),
    "consignee.veu": ("veu",),
    "tx.destination_region": ("emb",),  # Part 746 regions (746.6)
    # classification facts: the item class (static.item_features) holds each of them
    "line.cls.eccn": ("iclass",), "line.cls.level": ("iclass",), "line.cls.is_weights": ("iclass",),
    "line.cls.datacenter": ("iclass",), "line.cls.indeterminate": ("iclass",), "line.cls.vendor": ("iclass",),
    "line.cls.chip_tpp": ("iclass",), "line.cls.memory_bw_tbs": ("iclass",), "line.item.model_weights": ("iclass",),
    "line.cls.listed_eccn": ("iclass",),
}
# Read per line by replay's meter scans (balances, amounts, account keys), not by shape.
METERED = frozenset({"view", "line.amount", "consignee.key"})
# Read only into the words of reasons, warnings and duties.
WORDING = frozenset({"entities.party.name", "consignee.name", "line.index"})


def provision_reads() -> frozenset[str]:
    """Every fact some provision declares it reads."""
    from aidf.rules import duties, license_requirements, restrictions, review_policy, veu
    from aidf.rules.exceptions import acm, aia, lpp, nac_aca

    mods = (aia, acm, nac_aca, lpp, veu, license_requirements, restrictions, review_policy, duties)
    return frozenset().union(*(m.READS for m in mods))


def key_fields() -> frozenset[str]:
    """The shape-key fields the provisions' READS call for (structural `iclass` and `mode` always)."""
    out = {"iclass", "mode"}
    for path in provision_reads() - METERED - WORDING:
        if path not in CARRIED_BY:
            raise NotImplementedError(f"a provision reads {path!r}, which replay's shape keys do not carry")
        out.update(CARRIED_BY[path])
    return frozenset(out)


def country_index(e: pl.Expr) -> pl.Expr:
    """ISO code -> 1..len(CODES) (0 for null)."""
    return (e.cast(COUNTRY).to_physical().cast(pl.Int64) + 1).fill_null(0)


@lru_cache(maxsize=1)
def _country_lists() -> list[tuple[str, str]]:
    """Every parameter that is a list of countries (or of arrangements naming a country)."""
    out = []
    for path, values in all_values().items():
        for name, history in values.items():
            if history and history[-1].unit in ("iso2_list", "arrangement_list"):
                out.append((path, name))
    return sorted(out)


def _listed(p: Parameters, path: str, name: str) -> frozenset[str]:
    if not p.has(path, name):
        return frozenset()
    v = p.get(path, name) or []
    return frozenset(x.get("country") if isinstance(x, dict) else x for x in v)


@dataclass
class Context:
    """One (rule set, epoch): the parameters read and, per country code, what provisions see of it."""

    rules: str | None
    rep_date: dt.date
    diffusion: bool
    pdate: dt.date
    canon: list[str | None]  # by country index (0: no country): the code after aliases
    tier: list[int]
    dsig: list[tuple]        # destination facts
    fsig: list[tuple]        # destination facts the framework's provisions read
    hsig: list[tuple]        # headquarters facts: tier, in US or A:5/A:6
    acm_uses: frozenset[str]
    lpp_actions: frozenset[str]
    grace: bool = False      # as-written grace window: the 2024 regime and the framework both read the line
    # In the grace window, per country: the destination facts under the framework's parameters and under
    # the 2024 regime's (None outside the window); `hsig` there holds the headquarters facts under both.
    gsig: list[tuple] | None = None
    # In the grace window, per country under the 2024 regime's parameters: (tier, D:1/D:4/D:5 outside
    # A:5/A:6, a Part 746 section reaches it), what its license requirement reads of a country.
    prior: list[tuple] | None = None


def context(rules: str | None, rep_date: dt.date) -> Context:
    res = resolve(rules, rep_date)
    ruleset = res.ruleset
    p = ruleset.params(rep_date)
    canon, tier, dsig, fsig, hsig = _country_facts(p)
    uses = frozenset(p.get(ACM, "end_uses")) if p.has(ACM, "end_uses") else frozenset()
    actions = frozenset(p.get(LPP, "actions")) if p.has(LPP, "actions") else frozenset()
    gsig = prior = None
    if res.grace is not None:
        g_canon, _, g_dsig, g_fsig, g_hsig = _country_facts(res.grace.params(rep_date))
        gsig = [None, *zip(canon[1:], dsig[1:], fsig[1:], g_canon[1:], g_dsig[1:], strict=True)]
        hsig = [None, *zip(hsig[1:], g_hsig[1:], strict=True)]
        prior = [(0, False, False), *((d[0], d[2], f[4] is not None) for d, f in zip(g_dsig[1:], g_fsig[1:], strict=True))]
    return Context(rules, rep_date, ruleset.diffusion, p.as_of, canon, tier, dsig, fsig, hsig, uses, actions,
                   res.grace is not None, gsig, prior)


def _country_facts(p: Parameters) -> tuple[list, list, list, list, list]:
    """Per country index (0: none), in the parameters `p`: the code after aliases, its tier, the
    destination facts (every country list), the framework's destination facts, the headquarters facts."""
    geo = Geography.of(p)
    trusted = {"US"} | geo.a5 | geo.a6
    lists = [_listed(p, path, name) for path, name in _country_lists()]
    arrangements = _listed(p, ALLOC, "arrangements")
    canon, tier, dsig, fsig, hsig = [None], [0], [None], [None], [None]
    for code in CODES:
        c = geo.canon(code)
        canon.append(c)
        t = geo.tier(c)
        tier.append(t)
        dsig.append((t, c == "US", geo.d145_outside_a5a6(c), geo.d14_outside_d5(c), c in trusted,
                     *(c in s for s in lists)))
        fsig.append((t, geo.d145_outside_a5a6(c), geo.d14_outside_d5(c), c in arrangements,
                     part746.section(p, c, None), geo.is_us_territory(c)))
        hsig.append((t, c in trusted))
    return canon, tier, dsig, fsig, hsig


def item_flags(cls, p: Parameters) -> tuple[bool, bool]:
    """(vendor is an unapproved IC designer, chip within the 2026 China review policy's figures)."""
    unapproved = (p.has(AIA, "unapproved_designer_hq") and cls.vendor is not None
                  and cls.vendor in set(p.get(AIA, "unapproved_designer_hq")))
    china = False
    if p.has(CHINA, "policy") and cls.chip_tpp is not None and cls.memory_bw_tbs is not None:
        china = (cls.chip_tpp < p.fraction(CHINA, "chip_tpp_max_exclusive")
                 and cls.memory_bw_tbs * 1000 < p.fraction(CHINA, "dram_bandwidth_gbps_max_exclusive"))
    return unapproved, china


def _dense(values: list[Any]) -> tuple[list[int], int]:
    """Dense ids from 1 for hashable values (None -> 0), and the radix."""
    ids: dict[Any, int] = {}
    out = [0 if v is None else ids.setdefault(v, len(ids) + 1) for v in values]
    return out, len(ids) + 1


def pack(df: pl.DataFrame | pl.LazyFrame, fields: list[tuple[str, int]]) -> pl.Series:
    """One Int64 per row from small non-negative int columns with known radices (exact: no hashing).

    A LazyFrame's columns are computed within the packing query, never kept as a table.
    """
    return parts_key(pack_parts(df, fields))


def pack_parts(df: pl.DataFrame | pl.LazyFrame, fields: list[tuple[str, int]]) -> pl.DataFrame:
    """The fields packed into as few Int64 columns (`p0`, `p1`, ...) as fit; rows of several frames
    packed alike can be concatenated before `parts_key`."""
    lf = df if isinstance(df, pl.LazyFrame) else df.lazy()
    key = pl.lit(0, dtype=pl.Int64)
    span = 1
    exprs = []
    for name, radix in fields:
        if radix <= 1:
            continue
        if span * radix >= 1 << 62:
            exprs.append(key)
            key, span = pl.lit(0, dtype=pl.Int64), 1
        key = key * radix + pl.col(name).cast(pl.Int64)
        span *= radix
    exprs.append(key)
    return lf.select([e.alias(f"p{i}") for i, e in enumerate(exprs)]).collect()


def parts_key(parts: pl.DataFrame) -> pl.Series:
    """One Int64 per row from `pack_parts` columns: the packed value, or for very wide keys the dense
    number of the combination of parts."""
    if parts.width == 1:
        return parts.to_series().alias("k")
    return parts.select(pl.struct(parts.columns).rank("dense").cast(pl.Int64).alias("k")).to_series()


def party_columns(contexts: list[Context]) -> tuple[dict[str, pl.Series], dict[str, int]]:
    """Flat look-up tables indexed by ctx * NC + country index, and radices of the signatures."""
    tier = [t for c in contexts for t in c.tier]
    d_ids, d_radix = _dense([s for c in contexts for s in c.dsig])
    f_ids, f_radix = _dense([s for c in contexts for s in c.fsig])
    h_ids, h_radix = _dense([s for c in contexts for s in c.hsig])
    # Grace-window contexts: what either regime reads of the destination, one id per distinct reading.
    g_ids, g_radix = _dense([s for c in contexts for s in (c.gsig or [None] * len(c.dsig))])
    d145 = [bool(s and s[2]) for c in contexts for s in c.dsig]
    embargoed = [bool(s and s[4]) for c in contexts for s in c.fsig]
    # The 2024 regime's readings in grace-window contexts (elsewhere the context's own: not read).
    prior = [x for c in contexts for x in (c.prior or [(t, bool(d and d[2]), bool(f and f[4]))
                                                      for t, d, f in zip(c.tier, c.dsig, c.fsig, strict=True)])]
    tables = {"tier": pl.Series(tier, dtype=pl.Int8), "dsig": pl.Series(d_ids, dtype=pl.Int32),
              "prior_tier": pl.Series([x[0] for x in prior], dtype=pl.Int8),
              "prior_d145": pl.Series([x[1] for x in prior], dtype=pl.Boolean),
              "prior_embargoed": pl.Series([x[2] for x in prior], dtype=pl.Boolean),
              "fsig": pl.Series(f_ids, dtype=pl.Int32),
              "hsig": pl.Series(h_ids, dtype=pl.Int32), "gsig": pl.Series(g_ids, dtype=pl.Int32),
              "d145": pl.Series(d145, dtype=pl.Boolean),
              "embargoed": pl.Series(embargoed, dtype=pl.Boolean)}
    return tables, {"dsig": d_radix, "fsig": f_radix, "hsig": h_radix, "gsig": g_radix}


def region_classes(contexts: list[Context], regions: list[str]) -> pl.Series:
    """Per context and region (index 0: none): 1 where a Part 746 section reaches the region (746.6)."""
    from aidf.rules.parameters import parameters

    out = []
    for x in contexts:
        p = parameters(x.pdate)  # the parameters the context's rule set reads
        out += [0] + [int(part746.section(p, r[:2], r) is not None) for r in regions]
    return pl.Series(out, dtype=pl.Int8)
