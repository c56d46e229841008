"""The exact sequential meter scan, vectorized: which draws fit, in order, per account.

Rule (the engine's, per line in replay order): a draw of `amt` on an account is accepted when
`used + amt <= limit`, and only accepted draws add to `used`. A refused line falls through to its
next candidate, so it must not count: a plain cumulative sum is wrong after the first refusal.

Passes over all accounts at once, each a handful of columnar operations:
1. a line whose `amt` already exceeds `limit - used` is refused for sure (used only grows);
2. among the rest, a running sum per account finds the first line that does not fit: every line
   before it is accepted, it is refused, and the lines after it wait for the next pass.
Every pass settles at least one line per open account; when few lines remain they are finished by a
plain loop. Limits may differ line by line (quarterly caps); amounts are non-negative integers.
"""

from __future__ import annotations

import polars as pl

LOOP_BELOW = 4096


def scan(lines: pl.DataFrame, init: pl.Series | None = None, n_accounts: int | None = None) -> pl.Series:
    """Accepted flags for `lines` (columns acct: dense int from 0, amt, lim: Int64), in the frame's row order.

    Rows must already be in replay order (sorted by the caller's sequence); `init` holds each
    account's balance before the first line (default 0).
    """
    n = lines.height
    if n == 0:
        return pl.Series("accepted", [], dtype=pl.Boolean)
    if n_accounts is None:
        n_accounts = int(lines["acct"].max()) + 1
    bal = (init.cast(pl.Int64) if init is not None else pl.zeros(n_accounts, dtype=pl.Int64, eager=True)).clone()
    # Group by account keeping replay order: sort one packed key (account, position), then gather.
    key = (lines["acct"].cast(pl.Int64) * n + pl.int_range(0, n, dtype=pl.Int64, eager=True)).sort()
    i = (key % n).alias("i")
    work = pl.DataFrame([i.cast(pl.UInt32), (key // n).alias("acct"),
                         lines["amt"].cast(pl.Int64).gather(i).alias("amt"),
                         lines["lim"].cast(pl.Int64).gather(i).alias("lim")])
    del key
    accepted_idx: list[pl.Series] = []
    while work.height:
        if work.height < LOOP_BELOW:
            accepted_idx.append(_loop(work, bal))
            break
        work = work.with_columns(bal.gather(work["acct"]).alias("bal"))
        work = work.filter(pl.col("amt") + pl.col("bal") <= pl.col("lim"))
        if not work.height:
            break
        start = pl.col("acct") != pl.col("acct").shift(1)
        cs = pl.col("amt").cum_sum()
        work = work.with_columns(
            (cs - pl.when(start.fill_null(True)).then(cs - pl.col("amt")).otherwise(None).forward_fill())
            .alias("run"))
        fail = (pl.col("bal") + pl.col("run") > pl.col("lim")).cast(pl.Int64)
        cf = fail.cum_sum()
        work = work.with_columns(
            fail.alias("fail"),
            (cf - pl.when(start.fill_null(True)).then(cf - fail).otherwise(None).forward_fill()).alias("nf"))
        ok = work.filter(pl.col("nf") == 0)
        accepted_idx.append(ok["i"])
        if ok.height:
            sums = ok.group_by("acct").agg(pl.col("amt").sum())
            idx = sums["acct"]
            bal.scatter(idx, bal.gather(idx) + sums["amt"])
        # The first refusal of each account is settled (refused); the lines after it go round again.
        work = work.filter((pl.col("nf") > 1) | ((pl.col("nf") == 1) & (pl.col("fail") == 0))) \
            .select("i", "acct", "amt", "lim")
    flags = pl.Series("accepted", [False] * n, dtype=pl.Boolean)
    if accepted_idx:
        idx = pl.concat(accepted_idx)
        if idx.len():
            flags.scatter(idx, True)
    return flags


def _loop(work: pl.DataFrame, bal: pl.Series) -> pl.Series:
    b = bal.to_list()
    out = []
    for i, a, amt, lim in work.select("i", "acct", "amt", "lim").sort("i").iter_rows():
        if b[a] + amt <= lim:
            b[a] += amt
            out.append(i)
    return pl.Series("i", out, dtype=pl.UInt32)


def scan_reference(acct: list[int], amt: list[int], lim: list[int], init: list[int] | None = None) -> list[bool]:
    """The rule itself, one line at a time (for tests)."""
    bal: dict[int, int] = {}
    out = []
    for a, x, limit in zip(acct, amt, lim, strict=True):
        used = bal.get(a, init[a] if init else 0)
        ok = used + x <= limit
        if ok:
            used += x
        bal[a] = used
        out.append(ok)
    return out
