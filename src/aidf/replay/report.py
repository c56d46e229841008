"""Replay output for people: the reason in words, warnings and consignee beside each answer; the
--review file of lines needing a license or review, grouped by reason; the summary by country.

The columnar replay keeps no trace. A flagged line's warnings (NEEDS_REVIEW, LICENSE_REQUIRED) are
those the engine gives the first flagged line of its shape decided alone against an empty ledger.
Where the shape's plan settles the answer without balances, its static evaluation (made on that very
line) gathered them with the engine's provisions and warning assembly (static.evaluate_noted); a shape
whose answer rests on balances has that line decided by the engine, which names the readings a
metered answer rests on. Other lines carry their answer in words.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from aidf import people
from aidf.heap import survivors_set_aside
from aidf.replay.fanout import split_map

PEOPLE_COLUMNS = ["consignee", "reason", "warnings"]
FLAGGED = ("NEEDS_REVIEW", "LICENSE_REQUIRED")
REVIEW_COLUMNS = ["reason", "line", "transaction_id", "date", "destination", "country", "consignee", "catalog",
                  "quantity", "eccn", "tpp_total", "outcome", "warnings"]
_LINE_PREFIX = re.compile(r"^line \d+: ")
DECISIONS_PER_PART = 200  # engine decisions per process at least (each takes ~0.3 ms; fanout.MIN_PART)
_KEY = ["shape", "outcome", "authorization", "review_policy", "_past_allocation"]


def _shape_warnings(result, orders: str | Path, rules: str | None) -> dict[int, list[str]]:
    """The engine's warnings for one line of each shape (line references dropped: the row is the line)."""
    from aidf.replay.book import read_lines

    # Only the columns read, and the outcome compared as a categorical: filtering every coded column
    # (or a text outcome per line) would cost about a third of the coded answers again.
    outcome = pl.col("outcome")
    flagged = (result.coded.select("shape", "line", "date", "amount_milli", "outcome")
               .filter((outcome == FLAGGED[0]) | (outcome == FLAGGED[1])))
    reps = flagged.group_by("shape").agg(pl.col("line", "date", "amount_milli").first())
    del flagged
    out: dict[int, list[str]] = {}
    undecided = []
    for shape, line, date, amount in reps.iter_rows():
        planned = _planned(result.notes.get(shape), line, date, amount)
        if planned is None:
            undecided.append((shape, line))
        else:
            out[shape] = [_LINE_PREFIX.sub("", w) for w in planned]
    if not undecided:
        return out
    # Only the representative lines the plans leave are read back and typed (not the whole book again).
    rows = read_lines(orders, pl.Series([line for _, line in undecided], dtype=pl.Int64))
    by_line = {r["line"]: r for r in rows.iter_rows(named=True)}
    todo = [(shape, by_line[line]) for shape, line in undecided if line in by_line]
    with survivors_set_aside():
        said = split_map(partial(_warnings_of, rules=rules), [r for _, r in todo], min_part=DECISIONS_PER_PART)
    out.update(zip([shape for shape, _ in todo], said, strict=True))
    return out


def _planned(note: tuple[int, list[str]] | None, line: int, date, amount: int | None) -> list[str] | None:
    """A flagged line's warnings from its shape's static plan (columnar.Plans.notes), where the plan
    settles the answer with no balance read and was evaluated on this very line: the engine's
    provisions and warning assembly, as `decide` against an empty ledger (no list to screen against)
    gathers them. None where only a decision says them (an answer resting on balances, the grace
    window, a line past the ledger's bound, which the engine refuses). Book lines never leave a
    headquarters unknown (assemble.tx_dict states none), so the engine's unknown-headquarters path
    does not arise."""
    from aidf.bounds import MAX_LINE_MILLI
    from aidf.screening.check import screen_parties

    if note is None or note[0] != line or (amount is not None and amount >= MAX_LINE_MILLI):
        return None
    unscreened = screen_parties([], None, date)[2]
    return [*note[1], unscreened] if unscreened else None


def _warnings_of(row: dict[str, Any], rules: str | None) -> list[str]:
    """The engine's warnings for a book line (a row as read back) decided alone."""
    from aidf.engine import decide
    from aidf.replay.assemble import tx_dict

    tx = tx_dict([row])
    if rules is not None:
        tx["rules"] = rules
    try:
        # An empty ledger (None): no store to open per shape, no list to screen against (the
        # warning that no list is loaded stays, as with an empty store).
        d = decide(tx, ledger=None)
    except Exception as e:  # a shape the engine refuses keeps its answer; say why it has no warnings
        return [f"warnings not available: {e}"]
    return [_LINE_PREFIX.sub("", w) for w in d.warnings]


def _reason(outcome: str, authorization: str | None, policy: str | None, past: bool, warnings: list[str],
            words=people.text) -> str:
    """Why this line needs a license or review, in words (else its answer in words)."""
    text = people.outcome(outcome, authorization, policy)
    if past:
        text += " (beyond the country allocation)"
    if outcome == "NEEDS_REVIEW":
        cause = next((w for w in warnings if "review" in w or "settled" in w or "not stated" in w), None)
        if cause:
            text += f": {words(cause)}"
    return text


def people_columns(result, orders: str | Path, rules: str | None = None) -> pl.DataFrame:
    """Per line (in the coded lines' order): consignee, reason in words, warnings (joined by ' | '),
    as categoricals; the words are made once per distinct (shape, answer), not per line."""
    from aidf.replay.codes import dense_index, row_codes

    warns = _shape_warnings(result, orders, rules)
    c = result.coded
    # The line answer's code (columnar._answers) settles the key; a frame without it is coded here.
    pos, idx = dense_index(c["_answer"] if "_answer" in c.columns else row_codes(c, _KEY))
    keys = c[pos].select(_KEY).with_columns(pl.col(n).cast(pl.String) for n in _KEY[1:4])
    reasons, warnings = [], []
    said: dict[str, str] = {}  # each warning in words once: a few hundred texts serve every shape

    def words(x: str) -> str:
        return said[x] if x in said else said.setdefault(x, people.text(x))

    for shape, outcome, auth, policy, past in keys.iter_rows():
        w = warns.get(shape, [])
        reasons.append(_reason(outcome, auth, policy, bool(past), w, words))
        warnings.append(" | ".join(words(x) for x in w))
    return pl.DataFrame([
        c["consignee_key"].cast(pl.Categorical).alias("consignee"),
        pl.Series("reason", reasons, pl.String).cast(pl.Categorical).gather(idx),
        pl.Series("warnings", warnings, pl.String).cast(pl.Categorical).gather(idx)])


def with_people_columns(result, orders: str | Path, rules: str | None = None) -> None:
    """Add consignee, reason and warnings to the coded lines (as categoricals: few distinct texts)."""
    # The line answer's code has served its one reader here: it goes before the answers are written.
    result.coded = result.coded.with_columns(people_columns(result, orders, rules)).drop("_answer", strict=False)


def write_answers(result, out: str | Path, columns: list[str]) -> None:
    """The --out table with the people columns after the answer columns."""
    from aidf.replay.run import write_answers as write

    write(result, out, columns=[*columns, *PEOPLE_COLUMNS])


def layout_text() -> str:
    """The order-book layout shipped with the package (LAYOUT.md), for `aidf replay --layout`."""
    return (Path(__file__).parent / "LAYOUT.md").read_text(encoding="utf-8")


def unreadable(path: str | Path, e: Exception):
    """A file the readers cannot open, as one line naming it (an InputError)."""
    from aidf.errors import InputError

    kind = Path(path).suffix.lstrip(".") or "the"
    first = (str(e).strip().splitlines() or [type(e).__name__])[0]
    if type(e).__name__ == "NoDataError":
        return InputError("ORDERS", f"{path} is empty: no order lines to replay")
    return InputError("ORDERS", f"cannot read {path} as a {kind} order book: {first}")


def write_review(result, path: str | Path) -> int:
    """NEEDS_REVIEW and LICENSE_REQUIRED lines, grouped and sorted by reason, to CSV/Parquet/JSONL/XLSX."""
    from aidf.replay.io import write_table

    lines = result.lines if "reason" not in result.coded.columns else _decoded(result)
    flagged = lines.filter(pl.col("outcome").cast(pl.String).is_in(FLAGGED))
    flagged = flagged.with_columns(
        pl.col("destination").map_elements(people.country, return_dtype=pl.String).alias("country"))
    flagged = flagged.sort(["reason", "destination", "line"]).select(REVIEW_COLUMNS)
    write_table(flagged, path, sheet="review")
    return flagged.height


def _decoded(result) -> pl.DataFrame:
    from aidf.replay.columnar import decode

    cols = [n for n in REVIEW_COLUMNS if n not in ("country",)] + ["_past_allocation"]
    flagged = result.coded.filter(pl.col("outcome").cast(pl.String).is_in(FLAGGED))  # decode only these
    return decode(flagged, result.limits, columns=cols, tables=result.tables)


COUNT_ROWS = 1_000_000  # lines counted at a time by by_country


def by_country(result) -> list[dict[str, Any]]:
    """Lines per destination, with how many need a license or review, country names in words."""
    c = result.coded.select("destination", "outcome")
    flag = pl.col("outcome")  # compared as a categorical: no text per line (10^7 lines: about 1 GB)
    counts = [pl.len().alias("lines"), (flag == "LICENSE_REQUIRED").sum().alias("license_required"),
              (flag == "NEEDS_REVIEW").sum().alias("needs_review")]
    # Counted a slice at a time, then summed: a grouping of every line at once held about 70 MB more.
    parts = [c.slice(o, COUNT_ROWS).group_by("destination").agg(counts) for o in range(0, max(c.height, 1), COUNT_ROWS)]
    g = (pl.concat(parts).group_by("destination").agg(pl.col("lines", "license_required", "needs_review").sum())
         .with_columns(pl.col("destination").cast(pl.String))
         .sort(["lines", "destination"], descending=[True, False]))
    return [{"country": people.country(d), "code": d, "lines": n, "license_required": lr, "needs_review": nr}
            for d, n, lr, nr in g.iter_rows()]
