"""Columnar replay: a whole order book through the rules, line for line equal to `decide_many`.

1. Shapes: each line is reduced to the facts the static provisions read (shapes.py: item class,
   rule set and epoch, destination and party tiers and groups, action, ...), masked where no
   provision can read them, and packed into one integer; each distinct shape is decided once by
   the engine's own provisions (static.py) and the plan is joined back onto every line of it.
2. Meters, in the engine's order of candidates: LPP per consignee-year, then NVEU per VEU and
   country (UVEU shares per VEU, a plain loop: few lines), then the country allocation for Tier 2
   licenses. Each is an exact sequential scan (scan.py) over the lines that reach it; a line refused
   by one meter falls through to the next, which is why the stages run in this order.
3. The answer per line (outcome, authorization, review policy, ledger effect) and per transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import polars as pl

from aidf import heap, meters
from aidf.answer import transaction_answer
from aidf.errors import InputError
from aidf.meters import MILLI
from aidf.model import OUTCOME_ORDER, AccountRef, Party
from aidf.replay import fanout, shapes, static
from aidf.replay.assemble import replay_positions, tx_dict
from aidf.replay.book import LINE_DTYPE, BookErrors, LineError, in_groups, one_chunk, parse_installed_base
from aidf.replay.codes import compact, dense_index, expand, position_in, row_codes
from aidf.replay.scan import scan
from aidf.rules.ruleset import RULE_IDS, resolve
from aidf.rules.veu import counted_base, declared_base, quarter, share_breach

OUTCOMES = [o.value for o in OUTCOME_ORDER]
Progress = Callable[[str], None]


@dataclass
class ReplayResult:
    # One row per book line, in replay order; text answers as categoricals (a small code per line).
    # Narrow integers where they fit; `effect_tpp` and `tally_tpp` are derived from the milli amounts and
    # the per-shape limits (`_lpp_limit`, ...) taken from `limits` by `shape` when decoded.
    coded: pl.DataFrame
    shapes: int
    init: dict[str, int] = field(default_factory=dict)  # starting balance (milli) of every account drawn
    limits: pl.DataFrame | None = None  # row i: the limits of shape i
    notes: dict[int, tuple[int, list[str]]] = field(default_factory=dict)  # Plans.notes
    # Columns kept by an id the lines carry, not per line: name -> (id column, values by id).
    tables: dict[str, tuple[str, pl.Series]] = field(default_factory=dict)

    @property
    def lines(self) -> pl.DataFrame:
        """The lines with every answer as text (decoded from `coded`)."""
        return decode(self.coded, self.limits, tables=self.tables)

    def without_booking_columns(self) -> None:
        """Let go of the columns only booking reads (`run.book_result`): a run that books nothing keeps
        about 14 bytes a line less through writing and summaries."""
        self.coded = self.coded.drop(BOOKING_ONLY, strict=False)

    def transactions(self) -> pl.DataFrame:
        return (self.lines.group_by("transaction_id", maintain_order=True)
                .agg(pl.col("date").first(), pl.col("destination").first(), pl.col("destination_tier").first(),
                     pl.col("tx_outcome").first().alias("outcome"),
                     pl.col("tx_authorization").first().alias("authorization"),
                     pl.col("tx_review_policy").first().alias("review_policy"), pl.len().alias("lines")))


_codes = row_codes


def _milli_base(text: str, dest: str) -> int:
    return declared_base(parse_installed_base(text)).get(dest, 0)


def replay(book: pl.DataFrame, ledger=None, rules: str | None = None,
           progress: Progress | None = None) -> ReplayResult:
    """Decide every line of a typed, checked book (book.load) in replay order, with running balances."""
    return replay_owned([book], ledger, rules, progress)


def replay_owned(holder: list[pl.DataFrame], ledger=None, rules: str | None = None,
                 progress: Progress | None = None, items: pl.DataFrame | None = None) -> ReplayResult:
    """`replay` of the book in `holder`, taken out of it: a caller that keeps no other reference lets
    the book go as soon as its lines are reduced to shapes (large books). With `items`, the book is in
    compact form (codes.compact: an item id `iid` per line into the table `items`)."""
    book = holder.pop()
    say = progress or (lambda _s: None)
    if items is None:
        book, items = compact(book)
    if rules is not None:
        book = book.with_columns(pl.lit(rules).alias("rules"))
    if book.height == 0:
        return ReplayResult(_empty(), 0)
    book = book.with_columns(pl.col("line").cast(NARROW["line"]))
    # Lines stay in file order until the narrow per-line columns are sorted by `seq` below.
    say("order")
    _, seq, item = replay_positions(book)
    # The file position has given the order (`seq`, `item`): nothing after reads it.
    holder.append(book.with_columns(seq, item.cast(NARROW["item"])).drop("row", strict=False))
    del seq, item, book
    say("shapes")
    df, plans, n_shapes = _shapes_owned(holder, items, KEEP)
    holder.append(df.select(KEEP))  # the shape keys' working columns go before the sort copies what stays
    del df
    df, limits, per_shape = _with_plans(holder, plans)
    df = _consignee_keys(_amounts(df, plans.tpp))
    init: dict[str, int] = {}
    say("LPP")
    df = _lpp_step(df, limits, ledger, init)
    say("VEU")
    df = _veu_step(df, plans, ledger, init)
    # Past the VEU step a declared installed base matters only as declared or not.
    df = df.with_columns(pl.col("veu_installed_base").is_not_null().alias("declared")).drop("veu_installed_base")
    say("allocation")
    df = _allocation_step(df, limits, ledger, init)
    say("answers")
    # Only what the answers read goes on (the rest of the per-line working columns is freed here).
    df = df.drop("seq", "veu_type", "has_lpp", "counted", strict=False)
    holder.append(df)
    del df
    coded = _answers(holder, items, per_shape)
    return ReplayResult(coded, n_shapes, init, limits, plans.notes, _tables(items, plans.tpp, per_shape))


def _tables(items: pl.DataFrame, tpp: pl.DataFrame, per_shape: pl.DataFrame) -> dict[str, tuple[str, pl.Series]]:
    """The answer columns that follow from the line's item or shape: a value per item or shape, gathered
    only when decoded (at ten million lines a column per line costs 40 to 80 MB)."""
    return {"catalog": ("iid", items["catalog"].cast(pl.Categorical)), "tpp": ("tpp_id", tpp["unit_tpp"]),
            "eccn": ("shape", per_shape["eccn"]), "license_required": ("shape", per_shape["license_required"])}


KEEP = ["line", "seq", "order_id", "item", "date", "destination", "dest", "destination_tier", "iid", "quantity",
        "consignee_id", "consignee_name", "veu_type", "veu_id", "veu_installed_base", "shape", "tpp_id",
        "rule_set"]


def _with_plans(holder: list[pl.DataFrame],
                plans: list[static.Plan]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The narrow per-line columns (KEEP, taken out of `holder`) in replay order, each with its shape's plan
    (by position) where the meters read it; the limits by shape; the plan columns only the answers read,
    by shape."""
    df = holder.pop()
    # Sorted a few columns at a time, the unsorted ones freed once copied: a few columns beside the frame,
    # not two frames (`seq` numbers the lines from 0, so its arg sort is the sort).
    df = in_groups(df, _gather(df["seq"].arg_sort()))
    table = _plan_table(plans)  # row i: shape i
    limits = table.select(pl.col(n).alias(f"_{n}") for n in LIMITS)
    shape = df["shape"]
    # The integer limits stay per shape (`limits`): the meter steps take them for the lines they scan.
    df = df.with_columns(table[name].gather(shape) for name in table.columns
                         if name not in ("shape", *PER_SHAPE, *LINE_ANSWER))
    falses = pl.lit(False)
    return (df.with_columns(falses.alias("lpp_ok"), falses.alias("veu_ok"), falses.alias("alloc_ok")), limits,
            table.select(LINE_ANSWER))


def _gather(order: pl.Series) -> Callable[[pl.DataFrame], pl.DataFrame]:
    return lambda group: group.select(pl.all().gather(order))


def _amounts(df: pl.DataFrame, tpp: pl.DataFrame) -> pl.DataFrame:
    """Each line's amount in milli-TPP (meters.milli) and TPP total, computed per distinct (item's unit
    TPP, quantity); `tpp` holds the unit TPPs by `tpp_id`."""
    from aidf.meters import milli

    # quantity is required on chip and computer lines (book.py); weights lines have none (amount 0).
    pos, idx = dense_index(row_codes(df, ["tpp_id", "quantity"]))
    firsts = df[pos].select("tpp_id", "quantity")
    nums, dens = tpp["tpp_num"].gather(firsts["tpp_id"]), tpp["tpp_den"].gather(firsts["tpp_id"])
    amts, totals = [], []
    for num, den, q in zip(nums, dens, firsts["quantity"], strict=True):
        t = None if num is None or q is None else Fraction(num, den) * q
        amts.append(0 if t is None else milli(t))
        totals.append(None if t is None else float(t))
    return df.with_columns(pl.Series("amt", amts, dtype=pl.Int64).gather(idx),
                           pl.Series("tpp_total", totals, dtype=pl.Float64).gather(idx))


def _consignee_keys(df: pl.DataFrame) -> pl.DataFrame:
    """The consignee's key (model.Party.key) per distinct (id, name) pair, and each line's year."""
    pair = _codes(df, ["consignee_id", "consignee_name"])
    first = pair.is_first_distinct()
    ckeys = df.filter(first).select("consignee_id", "consignee_name").with_columns(pair.filter(first).alias("p"))
    ckeys = ckeys.with_columns(pl.Series("ckey", [
        Party(name=n, id=i, country="US").key for i, n, _ in ckeys.iter_rows()], dtype=pl.Categorical))
    df = df.with_columns(ckeys["ckey"].gather(position_in(pair, ckeys["p"]))).drop("consignee_id", "consignee_name")
    return df.with_columns(pl.col("date").dt.year().cast(NARROW["_year"]).alias("year"))


def _lpp_step(df: pl.DataFrame, limits: pl.DataFrame, ledger, init: dict[str, int]) -> pl.DataFrame:
    """LPP per consignee-year, in replay order (740.29(a): the limit each line's plan carries)."""
    m = pl.col("has_lpp")
    if not df.select(m.any()).item():
        return df
    # The columns read, then their rows (the rows of the whole frame would copy every per-line column).
    sub = df.select("seq", "ckey", "year", "amt", "shape").filter(df["has_lpp"])
    sub = sub.with_columns(limits["_lpp_limit"].gather(sub["shape"]).alias("lim"))
    accts = sub.select("ckey", "year").unique(maintain_order=True).with_row_index("acct")
    refs = [meters.lpp_account(k, y) for k, y in accts.select("ckey", "year").iter_rows()]
    ok = _scan(sub.join(accts, on=["ckey", "year"], how="left", maintain_order="left"), refs, ledger, init)
    return df.with_columns(_flags(df, ok).alias("lpp_ok"))


def _veu_step(df: pl.DataFrame, plans: list[static.Plan], ledger, init: dict[str, int]) -> pl.DataFrame:
    """NVEU caps and UVEU shares for the lines LPP did not take; UVEU tallies of lines authorized otherwise."""
    reach = pl.col("veu_step").is_not_null() & ~pl.col("lpp_ok")
    nveu = df.select(NVEU_READS).filter(df.select(reach & (pl.col("veu_step") == "NVEU")).to_series())
    ok_seqs: list[pl.Series] = []
    if nveu.height:
        ok_seqs.append(_nveu(nveu, plans, ledger, init))
    # A UVEU consignee's installed base also grows by every authorized .a-level line it receives
    # under another authorization (engine: tallies), so all its lines go through the share loop.
    tally_seqs = pl.Series("seq", [], dtype=pl.Int64)
    uveu = df.filter(pl.col("veu_type") == "UVEU").with_columns(
        (reach & (pl.col("veu_step") == "UVEU")).alias("reach"),
        (pl.col("counted") & ((pl.col("terminal") & pl.col("s_authorization").is_not_null()) | pl.col("lpp_ok")))
        .alias("tally"))
    uveu = uveu.filter(pl.col("reach") | pl.col("tally"))
    if uveu.height:
        ok, tally_seqs = _uveu(uveu, plans, ledger, init)
        ok_seqs.append(ok)
    if ok_seqs:
        df = df.with_columns(_flags(df, pl.concat(ok_seqs)).alias("veu_ok"))
    return df.with_columns(_flags(df, tally_seqs).alias("tally"))


def _allocation_step(df: pl.DataFrame, limits: pl.DataFrame, ledger, init: dict[str, int]) -> pl.DataFrame:
    """The country allocation for licensed lines no exception or VEU took (742.6(b)(10))."""
    licensed = df.select(pl.col("alloc") & ~pl.col("lpp_ok") & ~pl.col("veu_ok")).to_series()
    sub = df.select("seq", "shape", "dest", "date", "window", "amt", "alloc_published").filter(licensed)
    del licensed
    if not sub.height:
        return df
    sub = sub.with_columns(limits[f"_{n}"].gather(sub["shape"]).alias(n) for n in ("alloc_limit", "alloc_limit_arranged"))
    # One arrangement, published or recorded, multiplies the allocation once (allocation_limit).
    arranged = pl.col("alloc_published")
    if ledger is not None:
        pairs = sub.select("dest", "date").unique()
        arr = [ledger.arrangement(d, day) is not None for d, day in pairs.iter_rows()]
        sub = sub.join(pairs.with_columns(pl.Series("arr", arr, dtype=pl.Boolean)), on=["dest", "date"],
                       how="left", maintain_order="left")
        arranged = arranged | pl.col("arr")
    lim = pl.when(arranged).then(pl.col("alloc_limit_arranged")).otherwise(pl.col("alloc_limit"))
    sub = sub.select("seq", "dest", "window", "amt", lim.alias("lim"))
    accts = sub.select("dest", "window").unique(maintain_order=True).with_row_index("acct")
    refs = [meters.allocation_account(c, w) for c, w in accts.select("dest", "window").iter_rows()]
    ok = _scan(sub.join(accts, on=["dest", "window"], how="left", maintain_order="left"), refs, ledger, init)
    return df.with_columns(_flags(df, ok).alias("alloc_ok"))


NVEU_READS = ["seq", "shape", "date", "order_id", "veu_id", "dest", "amt", "veu_installed_base"]  # _nveu's columns


MODE_ITEM, MODE_PRE, MODE_WEIGHTS, MODE_FULL, MODE_GRACE, MODE_PRIOR = 0, 1, 2, 3, 4, 5
SHAPE_ROWS = 250_000  # lines whose shape features are computed at a time


def _shapes(df: pl.DataFrame, items: pl.DataFrame | None = None) -> tuple[pl.DataFrame, Plans, int]:
    """Per line: its shape (static plan index), canonical destination, destination tier and TPP id.

    `df` is in compact form with its item table `items`, or (items None) a full typed book."""
    return _shapes_owned([df], items)


def _shapes_owned(holder: list[pl.DataFrame], items: pl.DataFrame | None = None,
                  keep: list[str] | None = None) -> tuple[pl.DataFrame, Plans, int]:
    """`_shapes` of the frame in `holder`, taken out of it; with `keep`, only those columns go on past the
    shapes' representatives (the others are freed before the shapes are decided)."""
    df = holder.pop()
    if items is None:
        df, items = compact(df)
    df, contexts = _contexts(df)
    df, classes, tpp = _item_classes(df, items)
    flags = _class_flags(classes)
    # Parties and destination, through each context's country tables. The key is packed for a slice
    # of lines at a time, so the ~40 feature columns of one slice exist at once, not the book's.
    eu_vals = df["end_use"].drop_nulls().unique().sort().to_list()
    # Regions (746.6): whether a Part 746 section reaches each region named in the book, per context.
    reg_vals = df["destination_region"].cast(pl.String).drop_nulls().unique().sort().to_list()
    vals = {"eu": eu_vals, "region": reg_vals}
    # One chunk per column, as the book's: `dest` and the tier join its columns.
    keys = one_chunk([_slice_keys(df.slice(o, SHAPE_ROWS), contexts, vals, flags, len(classes))
                      for o in range(0, df.height, SHAPE_ROWS)])
    holder.append(df)
    del df
    df, plans, n = _plans(holder, keys, items, keep)
    plans.tpp = tpp
    return df, plans, n


def _contexts(df: pl.DataFrame) -> tuple[pl.DataFrame, list[shapes.Context]]:
    """Each line's context (rule set, epoch of parameters) as `ctx`, its representative date and parameter date."""
    c = pl.col
    breaks = static.breakpoints()
    bseries = pl.Series("b", breaks, dtype=pl.Date)
    epoch = bseries.search_sorted(df["date"], side="right").cast(pl.Int64)
    # Contexts: (rule set, epoch), each with its look-up tables.
    rule_ids = [None, *RULE_IDS]
    rcode = c("rules").replace_strict(rule_ids[1:], list(range(1, len(rule_ids))), default=0,
                                      return_dtype=pl.Int64)
    # Any date of an epoch stands for all of it: the first day of the run of epochs that decide alike
    # under the line's rule set (static.merged_starts), or the line's own date before the first epoch.
    nb = len(breaks) + 1
    first_day: list[dt.date | None] = []
    for rid in rule_ids:
        starts = static.merged_starts(rid)
        first_day += [None, *(starts[b] for b in breaks)]
    first_day = pl.Series("d", first_day, dtype=pl.Date)
    slot = df.select((rcode * nb + epoch).alias("slot")).to_series()
    del epoch
    df = df.with_columns(pl.coalesce(first_day.gather(slot), c("date")).alias("rep_date"))
    raw_ctx = rcode * (1 << 32) + c("rep_date").cast(pl.Int32).cast(pl.Int64)
    df = df.with_columns(raw_ctx.alias("raw_ctx"))
    ctx_u = df["raw_ctx"].unique().sort()
    df = df.with_columns(position_in(df["raw_ctx"], ctx_u).cast(pl.Int64).alias("ctx")).drop("raw_ctx")
    contexts = []
    epoch0 = dt.date(1970, 1, 1)
    for v in ctx_u.to_list():
        contexts.append(shapes.context(rule_ids[v >> 32], epoch0 + dt.timedelta(days=v & 0xFFFFFFFF)))
    pdates = pl.Series([x.pdate for x in contexts], dtype=pl.Date)
    # The rule set each context applies (a timeline resolved on its date).
    rsets = pl.Series([resolve(x.rules, x.rep_date).ruleset.id for x in contexts], dtype=pl.Categorical)
    df = df.with_columns(pdates.gather(df["ctx"]).alias("pdate"), rsets.gather(df["ctx"]).alias("rule_set"))
    return df, contexts


def _item_classes(df: pl.DataFrame, items: pl.DataFrame) -> tuple[pl.DataFrame, list[tuple], pl.DataFrame]:
    """Each line's item class (`iclass`) and `tpp_id`; the classes' keys (static.item_features); the
    unit TPPs by `tpp_id` (a few rows, not three columns per line)."""
    c = pl.col
    # Items: each distinct item (per parameter date) is classified once; items whose classification
    # reads the same to every provision share an item class.
    df = df.with_columns(_codes(df, ["iid", "pdate"]).alias("ikey"))
    # Representatives: the first line in replay order of each distinct item and shape.
    item_rows = expand(df.filter(c("seq") == c("seq").min().over("ikey")).sort("seq"), items)
    feats, errors_i = [], []
    for r in item_rows.iter_rows(named=True):
        out = static.item_features(tx_dict([{**r, "quantity": 1, "date": r["rep_date"]}]))
        if isinstance(out, InputError):
            errors_i.append((r["ikey"], out))
            out = static.ItemFeatures(key=("error", r["ikey"]), tpp_unit=None)
        feats.append(out)
    if errors_i:
        bad = {k: e for k, e in errors_i}
        rows = df.filter(c("ikey").is_in(list(bad))).select("line", "ikey").sort("line")
        raise BookErrors([LineError(n, _field(bad[k].field), bad[k].reason) for n, k in rows.iter_rows()])
    class_ids: dict[tuple, int] = {}
    iclass = [class_ids.setdefault(f.key, len(class_ids)) for f in feats]
    classes = list(class_ids)
    itab = pl.DataFrame({
        "ikey": item_rows["ikey"], "iclass": iclass,
        "unit_tpp": [None if f.tpp_unit is None else float(f.tpp_unit) for f in feats],
        "tpp_num": [None if f.tpp_unit is None else f.tpp_unit.numerator for f in feats],
        "tpp_den": [None if f.tpp_unit is None else f.tpp_unit.denominator for f in feats],
    }, schema={"ikey": pl.Int64, "iclass": pl.Int64, "unit_tpp": pl.Float64, "tpp_num": pl.Int64, "tpp_den": pl.Int64})
    # Onto every line by its item key's row in the table (a gather, not a join: no copy of the book).
    at = position_in(df["ikey"], itab["ikey"])
    # The item key, representative and parameter dates end here: not columns per line through the key steps.
    df = df.with_columns(itab["iclass"].gather(at), at.cast(pl.UInt32).alias("tpp_id"))
    del at
    df = df.drop("ikey", "rep_date", "pdate")
    return df, classes, itab.select("unit_tpp", "tpp_num", "tpp_den")


def _class_flags(classes: list[tuple]) -> dict[str, pl.Series]:
    """Per item class: decided by the item alone, weights, .a level."""
    # key = (eccn, level, is_weights, datacenter, indeterminate, storage, tpp None, unapproved, china)
    return {"item_only": pl.Series([k[0] == "error" or k[4] or k[0] is None for k in classes], dtype=pl.Boolean),
            "is_w": pl.Series([k[0] != "error" and bool(k[2]) for k in classes], dtype=pl.Boolean),
            "level_a": pl.Series([k[0] != "error" and k[1] == "a" for k in classes], dtype=pl.Boolean)}


def _slice_keys(df: pl.DataFrame, contexts: list[shapes.Context], vals: dict[str, list[str]],
                flags: dict[str, pl.Series], n_classes: int) -> pl.DataFrame:
    """The packed shape key parts of a slice of lines, with their canonical destination and its tier."""
    feats, radix = _features(df, contexts, vals, flags)
    return _key_parts(feats, radix, n_classes, len(contexts), len(vals["eu"]))


def _features(df: pl.DataFrame, contexts: list[shapes.Context], vals: dict[str, list[str]],
              flags: dict[str, pl.Series]) -> tuple[pl.DataFrame, dict[str, int]]:
    """The facts of each line the provisions read, as small integers through the context tables.

    Two selects: the indices into the tables, then every look-up at once (Polars runs a select's
    expressions side by side; one gather at a time ran on one core)."""
    c = pl.col
    eu_vals, reg_vals = vals["eu"], vals["region"]
    tables, radix = shapes.party_columns(contexts)
    idx = df.select(*_feature_indices(eu_vals, reg_vals),
                    c("action").replace_strict(shapes.ACTIONS, [0, 1, 2], return_dtype=pl.Int8).alias("action"),
                    c("direct_to_consignee").fill_null(True).alias("direct"),
                    _priv(c("consignee_private_sector")).alias("c_priv"),
                    _priv(c("end_user_private_sector")).alias("e_priv"),
                    c("end_user_name").is_not_null().alias("e_present"),
                    c("veu_type").replace_strict(["UVEU", "NVEU"], [1, 2], default=0, return_dtype=pl.Int8).alias("veu"))

    tier, hsig = tables["tier"], tables["hsig"]
    per_ctx = {n: pl.Series([getattr(x, n) for x in contexts], dtype=pl.Boolean) for n in ("diffusion", "grace")}
    canon = pl.Series([code for x in contexts for code in x.canon], dtype=pl.Categorical)
    # End use: whether it is one of ACM's end uses in the line's context.
    acm = pl.Series([e in x.acm_uses for x in contexts for e in ["", *eu_vals]], dtype=pl.Boolean)
    regions = shapes.region_classes(contexts, reg_vals)
    lpp_actions = pl.Series([a in x.lpp_actions for x in contexts for a in shapes.ACTIONS], dtype=pl.Boolean)
    feats = idx.select(
        "iclass", "ctx", "c_us", "eu", "action", "direct", "c_priv", "e_priv", "e_present", "veu",
        _at(tier, "d").alias("d_tier"), _at(tables["dsig"], "d").alias("dsig"), _at(tables["d145"], "d").alias("d145"),
        _at(tables["fsig"], "d").alias("fsig"), _at(tables["gsig"], "d").alias("gsig"), _at(canon, "d").alias("dest"),
        _at(tier, "cl").alias("c_loc"), _at(hsig, "ch").alias("c_hq"), _at(hsig, "cp").alias("c_par"),
        _at(tier, "ch").alias("c_hqt"), _at(tier, "cp").alias("c_part"),
        _at(tier, "el").alias("e_loc"), _at(hsig, "eh").alias("e_hq"), _at(hsig, "ep").alias("e_par"),
        _at(tier, "eh").alias("e_hqt"), _at(tier, "ep").alias("e_part"),
        *(_at(v, "ctx").alias(n) for n, v in per_ctx.items()),
        *(_at(flags[n], "iclass").alias(n) for n in ("item_only", "is_w", "level_a")),
        _at(acm, c("ctx") * (len(eu_vals) + 1) + c("eu")).alias("acm"),
        (_at(tables["embargoed"], "d") | (_at(regions, c("ctx") * (len(reg_vals) + 1) + c("r")) > 0)).alias("emb"),
        _prior_required(tables),
        _at(lpp_actions, c("ctx") * 3 + c("action").cast(pl.Int64)).alias("lpp_action"))
    return feats, radix


def _at(table: pl.Series, i: str | pl.Expr) -> pl.Expr:
    """`table` gathered by the index column `i` (or expression), inside a select."""
    return pl.lit(table).gather(pl.col(i) if isinstance(i, str) else i)


def _feature_indices(eu_vals: list[str], reg_vals: list[str]) -> list[pl.Expr]:
    """Each line's indices into the context tables (ctx * NC + country index) of its destination and
    parties, its item class and context, end use and region numbers, and a US headquarters."""
    c = pl.col
    ci = shapes.country_index
    hq = pl.coalesce(c("consignee_headquarters"), c("consignee_country"))
    par = pl.coalesce(c("consignee_ultimate_parent_headquarters"), hq)
    ehq = pl.coalesce(c("end_user_headquarters"), c("end_user_country"))
    epar = pl.coalesce(c("end_user_ultimate_parent_headquarters"), ehq)
    base = c("ctx") * shapes.NC
    return [(base + ci(c("destination"))).alias("d"), (base + ci(c("consignee_country"))).alias("cl"),
            (base + ci(hq)).alias("ch"), (base + ci(par)).alias("cp"),
            (base + ci(c("end_user_country"))).alias("el"), (base + ci(ehq)).alias("eh"),
            (base + ci(epar)).alias("ep"), (hq == "US").fill_null(False).alias("c_us"), c("iclass"), c("ctx"),
            c("end_use").replace_strict(eu_vals, list(range(1, len(eu_vals) + 1)), default=0,
                                        return_dtype=pl.Int64).alias("eu"),
            c("destination_region").cast(pl.String).replace_strict(
                reg_vals, list(range(1, len(reg_vals) + 1)), default=0, return_dtype=pl.Int64).alias("r")]


def _prior_required(tables: dict[str, pl.Series]) -> pl.Expr:
    """Whether the 2024 regime can require a license for the line in a grace-window context (read in
    its own parameters): a D:1/D:4/D:5 destination outside A:5/A:6, a Macau/D:5 headquarters or
    ultimate parent, a Part 746 destination or a named region (license_requirements.py, read widely).
    Where it cannot, the 2024 regime decides the line (grace_decides): the item class and the context
    (the 2024 regime classifies in its own parameters) decide it (MODE_PRIOR)."""
    tier = tables["prior_tier"]
    out = _at(tables["prior_d145"], "d") | _at(tables["prior_embargoed"], "d") | _at(tables["embargoed"], "d")
    for k in ("ch", "cp", "eh", "ep"):
        out = out | (_at(tier, k) == 3)
    return (out | (pl.col("r") > 0)).fill_null(False).alias("prior_req")


def _key_parts(feats: pl.DataFrame, radix: dict[str, int], n_classes: int, n_contexts: int,
               n_uses: int) -> pl.DataFrame:
    """The shape key of each line: its features, each kept only where a provision can read it."""
    c = pl.col
    d5hq = (c("c_hqt") == 3) | (c("c_part") == 3) | (c("e_hqt") == 3) | (c("e_part") == 3)
    req = (pl.when(c("is_w")).then(c("diffusion"))
           .otherwise((c("diffusion") & c("level_a")) | c("d145") | d5hq)) | c("emb")  # Part 746
    mode = (pl.when(c("item_only") | ~req).then(MODE_ITEM).when(~c("diffusion")).then(MODE_PRE)
            .when(c("grace") & ~c("prior_req")).then(MODE_PRIOR).when(c("grace")).then(MODE_GRACE).when(c("is_w")).then(MODE_WEIGHTS).otherwise(MODE_FULL))
    feats = feats.with_columns(mode.cast(pl.Int8).alias("mode"))
    m = c("mode")
    # The grace window reads what both regimes read: PRE's facts (under the 2024 regime's parameters)
    # and FULL's; its destination key is the pair of readings (shapes.Context.gsig), not the country.
    grace_m = m == MODE_GRACE
    full, pre, weights = (m == MODE_FULL) | grace_m, (m == MODE_PRE) | grace_m, m == MODE_WEIGHTS
    la, dt1, dt2 = c("level_a"), c("d_tier") == 1, c("d_tier") == 2

    def when(cond: pl.Expr, value: pl.Expr) -> pl.Expr:
        return pl.when(cond).then(value.cast(pl.Int64)).otherwise(0)

    # Each field enters the key only where a provision can read it (see shapes.py):
    kf = feats.lazy().select(
        "iclass", "mode", when(m != MODE_ITEM, c("ctx")).alias("ctx"),
        # PRE: NAC (transfer) and the 2026 China policy (export); FULL: LPP (.a only) and NAC, which
        # reads the action for Macau/D:5 destinations and Macau/D:5-headquartered entities (740.8).
        (when(pre, c("action") + 1) + when(full & (la | (c("d_tier") == 3) | d5hq), 4 + c("lpp_action") * 2
                                              + (c("action") == 2)) * 4).alias("action"),
        # PRE reads every country list (China policy); the framework: tier, group tests, arrangements.
        pl.when(grace_m).then(c("gsig").cast(pl.Int64)).when(pre).then(c("dsig").cast(pl.Int64))
        .when(full | weights).then(c("fsig").cast(pl.Int64)).otherwise(0).alias("dsig"),
        # Headquarters: tiers; "in the US or A:5/A:6" only where 744.23(d)(2) can be reached.
        # Part 746 reads "in the US or A:5/A:6" of every parent (746.8(b)(3)(vi)).
        *[pl.when(pre | (full & dt2 & ~la) | c("emb")).then(c(h).cast(pl.Int64) + 8)
          .when(full | weights).then(c(t).cast(pl.Int64)).otherwise(0).alias(h)
          for h, t in (("c_hq", "c_hqt"), ("c_par", "c_part"), ("e_hq", "e_hqt"), ("e_par", "e_part"))],
        when(m != MODE_ITEM, c("e_present")).alias("e_present"),
        when(full & la, c("direct")).alias("direct"),                      # LPP, after its .a test
        when(full, c("acm")).alias("acm"),                                 # ACM end use
        when(full & c("acm"), c("c_priv")).alias("c_priv"),                # ACM, after the end use test
        when(full & c("acm"), c("e_priv")).alias("e_priv"),
        when(full, c("veu")).alias("veu"),                                 # UVEU / NVEU
        when(full & la & dt1, c("c_loc") == 1).alias("c_loc"),             # AIA (a)(1), Tier 1 only
        when(full & la & dt1, c("e_loc") == 1).alias("e_loc"),
        when(full & (c("veu") == 1), c("c_us")).alias("c_us"),             # UVEU: US-headquartered
        when(m != MODE_ITEM, c("emb")).alias("emb"),                       # Part 746 (region of 746.6)
        when(c("emb"), c("eu")).alias("eu"))                               # Part 746 end uses (746.9(c))
    fields = [("iclass", n_classes), ("mode", 6), ("ctx", n_contexts), ("action", 32),
              ("dsig", max(radix["dsig"], radix["fsig"], radix["gsig"])),
              ("c_hq", radix["hsig"] + 8), ("c_par", radix["hsig"] + 8),
              ("e_hq", radix["hsig"] + 8), ("e_par", radix["hsig"] + 8), ("e_present", 2), ("direct", 2),
              ("acm", 2), ("c_priv", 3), ("e_priv", 3), ("veu", 3), ("c_loc", 2), ("e_loc", 2), ("c_us", 2),
              ("emb", 2), ("eu", n_uses + 1)]
    keyed = shapes.key_fields()
    parts = shapes.pack_parts(kf, [(n, r) for n, r in fields if n in keyed])
    del kf
    return parts.with_columns(feats["dest"], feats["d_tier"])


class Plans(list):
    """The static plans by shape id, and `notes`: for each terminal plan with warnings (outside the grace
    window), its line and the warnings the engine gives that line (static.Noted), for replay's report;
    `tpp`: the unit TPPs of the book's items, exact and as a float, by each line's `tpp_id`."""

    def __init__(self, plans: list[static.Plan], notes: dict[int, tuple[int, list[str]]]):
        super().__init__(plans)
        self.notes = notes
        self.tpp: pl.DataFrame | None = None


def _plans(holder: list[pl.DataFrame], keys: pl.DataFrame, items: pl.DataFrame,
           keep: list[str] | None = None) -> tuple[pl.DataFrame, Plans, int]:
    """Dense shape ids from the keys; each shape decided once (static.noted_or_error) on its first line,
    at its own date (any date of the line's context gives the plan; its own gives its warnings' words).
    The lines are taken out of `holder`; with `keep`, only those columns stay once the representatives
    are read."""
    df = holder.pop()
    skey = shapes.parts_key(keys.drop("dest", "d_tier"))
    reps = pl.DataFrame([skey.alias("k"), df["seq"].alias("s")]).group_by("k").agg(pl.col("s").min()).sort("k")
    shape = position_in(skey, reps["k"]).cast(pl.Int32)  # dense shape id, by key order
    rep_seq = reps["s"]
    del reps
    rep_rows = expand(df.filter(pl.col("seq").is_in(rep_seq.implode())).sort("seq"), items)
    if keep is not None:
        df = df.select([n for n in df.columns if n in keep])
    pos = {s: i for i, s in enumerate(rep_seq.to_list())}
    plans: list[static.Plan | None] = [None] * len(pos)
    notes: dict[int, tuple[int, list[str]]] = {}
    texts: dict[str, str] = {}  # each warning's text kept once
    errors: list[tuple[int, InputError]] = []
    rows = list(rep_rows.iter_rows(named=True))
    del rep_rows
    with heap.survivors_set_aside():  # the book's rows and the plans so far are not walked by every collection
        outs = fanout.split_map(_noted, rows)
    for r, out in zip(rows, outs, strict=True):
        i = pos[r["seq"]]
        if isinstance(out, InputError):
            errors.append((i, out))
            out = static.Noted(static.Plan(dest="", dest_tier=2, eccn=None, tpp_unit=None, license_required=False,
                                           terminal=True))
        plans[i] = out.plan
        if out.plan.terminal and out.warnings is not None:
            notes[i] = (r["line"], [texts.setdefault(w, w) for w in out.warnings])
    df = df.with_columns(shape.alias("shape"), keys["dest"], keys["d_tier"].cast(NARROW["destination_tier"]).alias("destination_tier"))
    del keys
    if errors:
        raise BookErrors(_shape_errors(df, errors))
    return df, Plans(plans, notes), len(plans)


def _noted(r: dict) -> static.Noted | InputError:
    """A shape's plan and warnings, from its representative line (alone, quantity 1)."""
    return static.noted_or_error(tx_dict([{**r, "quantity": 1}]))


def _priv(e: pl.Expr) -> pl.Expr:
    return pl.when(e.is_null()).then(0).when(e).then(2).otherwise(1).cast(pl.Int8)


def _flags(frame: pl.DataFrame, seqs: pl.Series) -> pl.Series:
    """True on the rows of `frame` whose seq is in `seqs`."""
    return frame["seq"].is_in(seqs.implode()) if seqs.len() else pl.Series([False] * frame.height)


def _scan(sub: pl.DataFrame, refs: list[AccountRef], ledger, init: dict[str, int]) -> pl.Series:
    """Run the meter scan over `sub` (seq, acct, amt, lim; in replay order); the accepted seqs."""
    start = [ledger.used(r) if ledger is not None else 0 for r in refs]
    for r, v in zip(refs, start, strict=True):
        init[r.id] = v
    flags = scan(sub.select("acct", "amt", "lim"), pl.Series(start, dtype=pl.Int64), len(refs))
    return sub["seq"].filter(flags)


def _nveu(sub: pl.DataFrame, plans: list[static.Plan], ledger, init: dict[str, int]) -> pl.Series:
    """NVEU quarterly caps per VEU and country, line by line, as the engine counts: a declared installed
    base raises what is counted, never lowers it (veu.counted_base), and the store raises the account to
    it once a line of its transaction is authorized (a floor)."""
    caps = pl.DataFrame([{"shape": s, "quarter": q, "cap": c} for s, p in enumerate(plans) if p.nveu_caps
                         for q, c in p.nveu_caps.items()], schema={"shape": pl.Int64, "quarter": pl.String,
                                                                   "cap": pl.Int64})
    days = sub["date"].unique()
    quarters = pl.DataFrame({"date": days, "quarter": [quarter(d) for d in days.to_list()]},
                            schema={"date": pl.Date, "quarter": pl.String})
    sub = sub.join(quarters, on="date", how="left").join(caps, on=["shape", "quarter"], how="left").sort("seq")
    used: dict[str, int] = {}
    local: dict[str, int] = {}
    floor: dict[str, int] = {}
    ok: list[int] = []
    tx = None
    aids: dict[tuple[str, str], str] = {}  # each account's id made once, not once per line
    bases: dict[tuple[str, str], int] = {}  # each declared base read once per text and country
    for seq, order_id, veu, dest, amt, cap, text in sub.select(
            "seq", "order_id", "veu_id", "dest", "amt", "cap", "veu_installed_base").iter_rows():
        if order_id != tx:
            _raise_floors(used, local, floor)
            tx, local, floor = order_id, {}, {}
        aid = aids.get((veu, dest))
        if aid is None:
            ref = meters.nveu_account(veu, dest)
            aid = aids[veu, dest] = ref.id
            used[aid] = init[aid] = ledger.used(ref) if ledger is not None else 0
        here = local.get(aid, 0)
        if text is not None and (text, dest) not in bases:
            bases[text, dest] = _milli_base(text, dest)
        declared = {dest: bases[text, dest]} if text is not None else None
        counted = counted_base(declared, {dest: used[aid] - here})[dest] + here
        if cap is None or counted + amt > cap:
            continue
        ok.append(seq)
        used[aid] += amt
        local[aid] = here + amt
        if declared is not None:
            floor[aid] = max(floor.get(aid, 0), declared[dest])
    _raise_floors(used, local, floor)
    return pl.Series("seq", ok, dtype=pl.Int64)


def _raise_floors(used: dict, local: dict, floor: dict) -> None:
    """At the end of a transaction: the store raises each account to its declared base (never lowers)."""
    for key, base in floor.items():
        here = local.get(key, 0)
        if base > used[key] - here:
            used[key] = base + here


def _uveu(sub: pl.DataFrame, plans: list[static.Plan], ledger,
          init: dict[str, int]) -> tuple[pl.Series, pl.Series]:
    """UVEU shares (Supp. No. 10 para 6), line by line with the provision's own share test: few lines,
    and the test reads the whole base. Lines that reach the UVEU step are tested and, if they fit, drawn;
    lines authorized otherwise (`tally`) only add to the base. A declared base raises what is counted
    (never lowers it) and, once a line of its transaction fits, the store raises the accounts to it."""
    bases: dict[str, dict[str, int]] = {}
    ok: list[int] = []
    tallied: list[int] = []
    local: dict[str, dict[str, int]] = {}
    floors: dict[str, dict[str, int]] = {}
    read: dict[str, dict[str, int]] = {}
    local_tx = None
    for seq, shape, order_id, veu, dest, amt, text, reach in sub.select(
            "seq", "shape", "order_id", "veu_id", "dest", "amt", "veu_installed_base", "reach").iter_rows():
        if order_id != local_tx:
            _raise_uveu_floors(bases, local, floors)
            local_tx, local, floors = order_id, {}, {}
        if veu not in bases:
            bases[veu] = dict(ledger.installed_base("uveu_share", veu)) if ledger is not None else {}
            for c, v in bases[veu].items():
                init[meters.uveu_account(veu, c).id] = v
        loc = local.setdefault(veu, {})
        if reach:
            pr = plans[shape].uveu
            declared = None
            if text is not None:
                if text not in read:  # each declared base read once per text
                    read[text] = declared_base(parse_installed_base(text))
                declared = read[text]
            store = {c: v - loc.get(c, 0) for c, v in bases[veu].items()}
            after = counted_base(declared, store)
            for c, v in loc.items():
                after[c] = after.get(c, 0) + v
            after[dest] = after.get(dest, 0) + amt
            if share_breach(after, dest, pr["tier"], pr["limits"], pr["us_hq"]) is not None:
                continue
            ok.append(seq)
            if declared is not None:
                floors[veu] = declared
        else:
            tallied.append(seq)
        loc[dest] = loc.get(dest, 0) + amt
        bases[veu][dest] = bases[veu].get(dest, 0) + amt
    _raise_uveu_floors(bases, local, floors)
    return pl.Series("seq", ok, dtype=pl.Int64), pl.Series("seq", tallied, dtype=pl.Int64)


def _raise_uveu_floors(bases: dict, local: dict, floors: dict) -> None:
    for veu, declared in floors.items():
        loc = local.get(veu, {})
        for c, v in declared.items():
            if v > 0 and v > bases[veu].get(c, 0) - loc.get(c, 0):
                bases[veu][c] = v + loc.get(c, 0)


def _plan_table(plans: list[static.Plan]) -> pl.DataFrame:
    rows = []
    for i, p in enumerate(plans):
        rows.append({
            "shape": i, "terminal": p.terminal, "s_outcome": p.outcome, "s_authorization": p.authorization,
            "s_review_policy": p.review_policy, "license_required": p.license_required, "eccn": p.eccn,
            "has_lpp": "LPP" in p.steps, "lpp_limit": p.lpp_limit,
            "veu_step": next((s for s in p.steps if s != "LPP"), None),
            "alloc": p.alloc, "alloc_ok_policy": p.alloc_ok, "alloc_fail_policy": p.alloc_fail,
            "alloc_limit": p.alloc_limit, "alloc_limit_arranged": p.alloc_limit_arranged,
            "alloc_published": p.alloc_published, "window": p.window, "aia_tally": p.aia_tally,
            "counted": p.counted})
    text = pl.Categorical  # gathered onto every line: a code per line, each text stored once
    schema = {"shape": pl.Int64, "terminal": pl.Boolean, "s_outcome": text, "s_authorization": text,
              "s_review_policy": text, "license_required": pl.Boolean, "eccn": text,
              "has_lpp": pl.Boolean, "lpp_limit": pl.Int64, "veu_step": text, "alloc": pl.Boolean,
              "alloc_ok_policy": text, "alloc_fail_policy": text, "alloc_limit": pl.Int64,
              "alloc_limit_arranged": pl.Int64, "alloc_published": pl.Boolean, "window": text, "aia_tally": pl.Boolean,
              "counted": pl.Boolean}
    return pl.DataFrame(rows, schema=schema)


def _lit(v: str) -> pl.Expr:
    return pl.lit(v, dtype=pl.Categorical)


DISTINCT_ROWS = 1_000_000  # lines whose parts _by_distinct reads at a time


def _by_distinct(df: pl.DataFrame, parts: dict[str, pl.Expr], value: Callable[..., str | None]) -> pl.Series:
    """`value(*parts)` (text) per line, called once per distinct row of `parts` and gathered back as a
    categorical: account ids are built (by aidf.meters) for the few distinct accounts, not per line.
    The parts are read a slice of lines at a time (at ten million lines, all of them at once held
    about 300 MB), each slice's distinct rows numbered in the book's order of first appearance."""
    ids: dict[tuple, int] = {}
    texts: list[str | None] = []
    at = []
    for o in range(0, max(df.height, 1), DISTINCT_ROWS):
        a = df.slice(o, DISTINCT_ROWS).select(**parts)
        pos, idx = dense_index(row_codes(a, list(parts)))
        local = []
        for row in a[pos].iter_rows():
            if row not in ids:
                ids[row] = len(texts)
                texts.append(value(*row))
            local.append(ids[row])
        del a
        at.append(pl.Series(local, dtype=pl.UInt32).gather(idx))
    return pl.Series(texts, dtype=pl.String).cast(pl.Categorical).gather(pl.concat(at))


def _effect_account(which: int, ckey, year, kind, dest, veu, window) -> str | None:
    """The account a line's effect draws on (1: LPP, 2: its VEU, 3: the country allocation)."""
    if which == 1:
        return meters.lpp_account(str(ckey), int(year)).id
    if which == 2:
        make = meters.nveu_account if kind == meters.NVEU_CAP else meters.uveu_account
        return make(str(veu), str(dest)).id
    if which == 3:
        return meters.allocation_account(str(dest), str(window)).id
    return None


def _tally_account(tally: bool, dest, veu) -> str | None:
    return meters.uveu_account(str(veu), str(dest)).id if tally else None


def _answers(holder: list[pl.DataFrame], items: pl.DataFrame, per_shape: pl.DataFrame) -> pl.DataFrame:
    """Per line and per transaction answers, text as categoricals; `holder`'s frame is taken out.
    `per_shape`: the plan columns only the answers read (LINE_ANSWER), by shape."""
    df = holder.pop()
    c = pl.col
    lpp, veu, alloc = c("lpp_ok"), c("veu_ok"), c("alloc_ok")
    few, at = _line_answers(df, per_shape)
    df = df.drop("terminal", "s_authorization", "veu_step")  # before the answers are gathered onto the lines
    df = df.with_columns(few[n].gather(at) for n in few.columns)
    # Account ids: the parts each kind reads, masked elsewhere, so distinct rows are distinct accounts.
    which = pl.when(lpp).then(1).when(veu).then(2).when(alloc).then(3).otherwise(0).cast(pl.Int8)
    account = _by_distinct(df, {
        "w": which, "ck": pl.when(lpp).then(c("ckey")), "y": pl.when(lpp).then(c("year")),
        "k": pl.when(~lpp & veu).then(c("kind")), "d": pl.when(lpp).then(None).otherwise(c("dest")),
        "v": pl.when(~lpp & veu).then(c("veu_id")), "win": pl.when(~lpp & ~veu & alloc).then(c("window"))}, _effect_account)
    tally_account = _by_distinct(df, {
        "t": c("tally"), "d": pl.when(c("tally")).then(c("dest")), "v": pl.when(c("tally")).then(c("veu_id"))},
        _tally_account)
    df = df.with_columns(account.alias("effect_account"), tally_account.alias("tally_account"))
    del account, tally_account
    df = _transaction_answers(df, few, at)
    answer = at
    del few, at
    out = df.select(
        "line", pl.col("order_id").alias("transaction_id"), c("item").cast(NARROW["item"]), "date",
        pl.col("destination").cast(pl.Categorical), c("destination_tier").cast(NARROW["destination_tier"]),
        "iid", "quantity", "tpp_id", "tpp_total", "outcome", "authorization", "review_policy",
        pl.col("kind").alias("effect_kind"), "effect_account",
        "tally_account",
        "tx_outcome", "tx_authorization", "tx_review_policy", "rule_set",
        # kept for booking (BOOKING_ONLY) and summaries
        pl.col("ckey").alias("consignee_key"), pl.col("aia_tally"), pl.col("amt").alias("amount_milli"),
        pl.col("dest").alias("_dest"), pl.col("year").cast(NARROW["_year"]).alias("_year"),
        pl.col("veu_id").cast(pl.Categorical).alias("_veu"),
        pl.col("window").alias("_window"), pl.col("shape").cast(pl.Int32),
        pl.col("declared").alias("_declared"),
        (pl.col("alloc") & ~pl.col("alloc_ok") & ~pl.col("lpp_ok") & ~pl.col("veu_ok")).alias("_past_allocation"),
        # Lines with one code share shape, answers and place past the allocation (report.people_columns).
        answer.alias("_answer"))
    del df
    return out


def _line_answers(df: pl.DataFrame, per_shape: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """Outcome, authorization, review policy and effect kind, each a function of the line's shape and its
    meter flags: evaluated once per distinct (shape, flags) and returned with each line's row in them."""
    c = pl.col
    lpp, veu, alloc = c("lpp_ok"), c("veu_ok"), c("alloc_ok")
    drawn = c("amt").gt(0).fill_null(False)
    u = pl.UInt32  # shapes number far below 2^28
    flags = c("shape").cast(u) * 16 + lpp.cast(u) + veu.cast(u) * 2 + alloc.cast(u) * 4 + drawn.cast(u) * 8
    pos, at = dense_index(df.select(flags.alias("k"))["k"])
    few = df[pos].select("shape", "terminal", "s_authorization", "veu_step", "alloc", "lpp_ok", "veu_ok",
                         "alloc_ok", "amt")
    few = few.with_columns(per_shape[n].gather(few["shape"]) for n in per_shape.columns)
    outcome = (pl.when(c("terminal")).then(c("s_outcome"))
               .when(lpp).then(_lit("LICENSE_EXCEPTION")).when(veu).then(_lit("VEU"))
               .otherwise(c("s_outcome")))
    auth = (pl.when(c("terminal")).then(c("s_authorization"))
            .when(lpp).then(_lit("LPP")).when(veu).then(c("veu_step")).otherwise(c("s_authorization")))
    policy = (pl.when(c("terminal")).then(c("s_review_policy"))
              .when(lpp | veu).then(pl.lit(None, dtype=pl.Categorical))
              .when(c("alloc")).then(pl.when(alloc).then(c("alloc_ok_policy")).otherwise(c("alloc_fail_policy")))
              .otherwise(c("s_review_policy")))
    kind = (pl.when(lpp).then(_lit("lpp_annual"))
            .when(veu & drawn).then(pl.when(c("veu_step") == "NVEU").then(_lit("nveu_cap"))
                                             .otherwise(_lit("uveu_share")))
            .when(alloc).then(_lit("country_allocation")).otherwise(pl.lit(None, dtype=pl.Categorical)))
    return few.select(outcome.alias("outcome"), auth.alias("authorization"), policy.alias("review_policy"),
                      kind.alias("kind")), at


def _transaction_answers(df: pl.DataFrame, few: pl.DataFrame, at: pl.Series) -> pl.DataFrame:
    """Each line's transaction answer, by the engine's own assembly (answer.transaction_answer), called
    once per distinct set of line answers: a transaction's set is a bit mask of its lines' answer codes.
    `few` and `at`: the distinct line answers and each line's row in them (_line_answers)."""
    c = pl.col
    triple = ["outcome", "authorization", "review_policy"]
    pos, code = dense_index(row_codes(few, triple))
    code = code.gather(at)  # coded through the few distinct line answers, not over every line
    answers = list(few[pos].select(c(n).cast(pl.String) for n in triple).iter_rows())
    if len(answers) > 62:  # pragma: no cover - more distinct line answers than a mask holds
        raise NotImplementedError("replay: more than 62 distinct line answers")
    # An order's lines are one run in replay order (they share a date): runs are transactions when
    # there are as many runs as order ids; otherwise group by order id.
    # The run numbers ascend: marked sorted, the window below takes each run as a slice of lines
    # instead of listing the lines of each of millions of groups.
    # Orders are counted by their line numbered 0 (`item`), not by hashing the ids; neighbours are
    # compared as slices (a shifted copy of the ids would be a second text column).
    oid, n = df["order_id"], df.height
    start = pl.concat([pl.Series([True] if n else [], dtype=pl.Boolean),
                       (oid.slice(1) != oid.slice(0, max(n - 1, 0))).fill_null(True)])
    runs = start.cum_sum().alias("_tx").set_sorted()
    del start
    group = "_tx" if n and runs[-1] == (df["item"] == 0).sum() else "order_id"
    bits = pl.Series([1 << i for i in range(len(answers))], dtype=pl.Int64)
    work = pl.DataFrame([df["order_id"], runs, bits.gather(code).alias("bit")])
    del runs, code
    mask = work.select(c("bit").bitwise_or().over(group).alias("mask"))["mask"]
    del work  # each working column goes before the next is made (ten million lines: 40 to 80 MB each)
    mpos, midx = dense_index(mask)
    sets = mask.gather(mpos).to_list()
    del mask, mpos
    out = [transaction_answer(a for i, a in enumerate(answers) if m >> i & 1) for m in sets]
    cols = [pl.Series(n, [o[k] for o in out], dtype=pl.String).cast(pl.Categorical).gather(midx).alias(f"tx_{n}")
            for k, n in enumerate(triple)]
    return df.with_columns(cols)


BOOKING_ONLY = ["_dest", "_year", "_veu", "_window", "aia_tally", "_declared"]  # read by run.book_result alone
LIMITS = ["lpp_limit", "alloc_limit", "alloc_limit_arranged", "alloc_published"]
PER_SHAPE = LIMITS[:3]  # not gathered onto the lines
# Plan columns only the line answers read: kept by shape (_line_answers), not gathered onto every line.
LINE_ANSWER = ["s_outcome", "s_review_policy", "alloc_ok_policy", "alloc_fail_policy", "license_required", "eccn"]
NARROW = {"item": pl.Int32, "destination_tier": pl.Int8, "_year": pl.Int16, "line": LINE_DTYPE}  # decoded to Int64
# Decoded columns made from others, and the coded columns each reads.
DERIVED = {"effect_tpp": ["effect_kind", "amount_milli"], "effect_milli": ["effect_kind", "amount_milli"],
           "tally_tpp": ["tally_account", "amount_milli"]}


def decode(coded: pl.DataFrame, limits: pl.DataFrame | None = None, columns: list[str] | None = None,
           tables: dict[str, tuple[str, pl.Series]] | None = None) -> pl.DataFrame:
    """The text table (`columns`, default all) from coded lines (or from a batch of them): categoricals
    as text, narrow integers as Int64, the TPP amounts from the milli amounts, limits by shape, and the
    columns of `tables` (ReplayResult.tables) by their ids."""
    tables = dict(tables or {})
    if limits is not None and "shape" in coded.columns:  # a shape's limits, as any value kept by shape
        tables |= {n: ("shape", limits[n]) for n in limits.columns}
    cols = _decodable(set(coded.columns), tables) if columns is None else columns
    return coded.select(decode_exprs(coded.schema, cols, tables=tables))


def _decodable(have: set[str], tables: dict) -> list[str]:
    """The columns of a full decoded table that `coded` columns `have` can give (all of them, unless the
    booking columns were let go)."""
    made = have | DERIVED.keys() | tables.keys()
    return [n for n in _empty().columns if n in made]


def decode_exprs(schema, columns: list[str], text: bool = True,
                 tables: dict[str, tuple[str, pl.Series]] | None = None) -> list[pl.Expr]:
    """`decode`'s row-by-row part as expressions (for a lazy, streamed write); with `text` False the
    categoricals stay categoricals (for a writer that stores each text once, as a dictionary)."""
    c = pl.col
    # The effect's amount is the line's wherever it has an effect: derived, not a column per line.
    effect = pl.when(c("effect_kind").is_not_null()).then(c("amount_milli"))
    derived = {"effect_milli": effect, "effect_tpp": effect / MILLI,
               "tally_tpp": pl.when(c("tally_account").is_not_null()).then(c("amount_milli") / MILLI)}
    out = []
    for name in columns:
        if name not in schema and name in derived:
            out.append(derived[name].alias(name))
        elif name not in schema and tables and name in tables:
            key, values = tables[name]
            e = pl.lit(values).gather(c(key)).alias(name)
            out.append(e.cast(pl.String) if text and isinstance(values.dtype, pl.Categorical) else e)
        elif isinstance(schema[name], (pl.Categorical, pl.Enum)):
            out.append(c(name).cast(pl.String) if text else c(name))
        elif name in NARROW:
            out.append(c(name).cast(pl.Int64))
        else:
            out.append(c(name))
    return out


def coded_columns(columns: list[str], tables: dict[str, tuple[str, pl.Series]] | None = None) -> list[str]:
    """The coded columns `decode` reads to give `columns`."""
    need = DERIVED | {name: [key] for name, (key, _) in (tables or {}).items()}
    out: list[str] = []
    for n in columns:
        for x in need.get(n, [n]):
            if x not in out:
                out.append(x)
    return out


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={
        "line": pl.Int64, "transaction_id": pl.String, "item": pl.Int64, "date": pl.Date, "destination": pl.String,
        "destination_tier": pl.Int64, "catalog": pl.String, "quantity": pl.Int64, "eccn": pl.String,
        "tpp": pl.Float64, "tpp_total": pl.Float64, "outcome": pl.String, "authorization": pl.String,
        "review_policy": pl.String, "license_required": pl.Boolean, "effect_kind": pl.String,
        "effect_account": pl.String, "effect_tpp": pl.Float64, "effect_milli": pl.Int64,
        "tally_account": pl.String, "tally_tpp": pl.Float64, "tx_outcome": pl.String,
        "tx_authorization": pl.String, "tx_review_policy": pl.String, "rule_set": pl.String,
        "consignee_key": pl.String,
        "aia_tally": pl.Boolean, "amount_milli": pl.Int64, "_dest": pl.String, "_year": pl.Int64,
        "_veu": pl.String, "_window": pl.String, "_lpp_limit": pl.Int64, "_alloc_limit": pl.Int64,
        "_alloc_limit_arranged": pl.Int64, "_alloc_published": pl.Boolean, "_declared": pl.Boolean, "_past_allocation": pl.Boolean})


FIELD_PREFIXES = [("items.0.model_weights.", "weights_"), ("items.0.", ""),
                  ("parties.ultimate_consignee.veu.", "veu_"), ("parties.ultimate_consignee.", "consignee_"),
                  ("parties.end_user.", "end_user_")]


def _field(name: str) -> str:
    for prefix, repl in FIELD_PREFIXES:
        if name.startswith(prefix):
            return repl + name[len(prefix):]
    return name


def _shape_errors(df: pl.DataFrame, errors: list[tuple[int, InputError]]) -> list[LineError]:
    by_shape = {s: e for s, e in errors}
    rows = df.filter(pl.col("shape").is_in(list(by_shape))).select("line", "shape").sort("line")
    return [LineError(n, _field(by_shape[s].field), by_shape[s].reason) for n, s in rows.iter_rows()]
