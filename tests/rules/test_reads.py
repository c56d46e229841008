"""Each provision reads only the facts it declares in READS (the replay's shape keys rest on them).

Every provision runs with its Facts and Line wrapped in a recorder, over the YAML decision cases and
a seeded book of tier, headquarters, action, item-level and rule-set combinations; a read of a fact
not in the module's READS fails.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from tests.rules.reads_probe import Recorder

from aidf.engine import _classify, parse_transaction
from aidf.errors import InputError
from aidf.rules import duties, license_requirements, restrictions, review_policy, veu
from aidf.rules.exceptions import acm, aia, lpp, nac_aca
from aidf.rules.facts import Facts, LedgerView, Line
from aidf.rules.ruleset import resolve

DECISIONS = Path(__file__).parent / "decisions"
AUTHS = (None, "AIA", "ACM", "NAC", "ACA", "LPP", "UVEU", "NVEU")

# name -> (module declaring READS, call(line, facts, restriction), runs under the pre-framework sets)
PROVISIONS = {
    "aia": (aia, lambda ln, f, r: aia.aia(ln, f, r), False),
    "acm": (acm, lambda ln, f, r: acm.acm(ln, f, r), False),
    "nac_aca": (nac_aca, lambda ln, f, r: nac_aca.nac_aca(ln, f, r), True),
    "lpp": (lpp, lambda ln, f, r: lpp.lpp(ln, f, r), False),
    "uveu": (veu, lambda ln, f, r: veu.uveu(ln, f), False),
    "nveu": (veu, lambda ln, f, r: veu.nveu(ln, f), False),
    "review_policy": (review_policy, lambda ln, f, r: review_policy.review_policy(ln, f), True),
}


def _transactions() -> list[dict]:
    from tests.replay.helpers import typed
    from tests.replay.test_differential import book

    from aidf.replay.assemble import in_replay_order, transaction_dicts

    txs = [s["tx"] for file in sorted(DECISIONS.glob("*.yaml"))
           for case in yaml.safe_load(file.read_text())["cases"] for s in case["steps"]]
    return txs + transaction_dicts(in_replay_order(typed(book(3000, 5))))


def _duties(ln, f, r) -> None:
    auths = AUTHS if f.ruleset.diffusion else (None, "NAC", "ACA")
    for a in auths:
        for outcome in ("LICENSE_EXCEPTION", "LICENSE_REQUIRED"):
            duties.duties_for(ln, f, a, outcome)


def _line_reads(tx, f: Facts, r, i: int, item, p) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    try:
        cls = _classify(item.model_dump_json(), p, f"items.{i}")
    except InputError:
        return out
    line = Line(i, item, cls)
    if cls.indeterminate or cls.eccn is None:
        return out

    def run(name, call):
        log: set[str] = set()
        result = call(Recorder(line, log, "line."), Recorder(f, log), r)
        out[name] |= log
        return result

    required = run("license_requirement", lambda ln, ff, rr: license_requirements.license_requirement(ln, ff)).required
    run("duties_for", _duties)
    if required:
        for name, (_, call, pre) in PROVISIONS.items():
            if f.ruleset.diffusion or pre:
                run(name, call)
    return out


@pytest.fixture(scope="module")
def observed() -> dict[str, set[str]]:
    reads: dict[str, set[str]] = defaultdict(set)
    for t in _transactions():
        try:
            tx = parse_transaction(t)
            rs = resolve(tx.rules, tx.date).ruleset
            rs.check_date(tx.date)
            p = rs.params(tx.date)
        except InputError:
            continue
        f = Facts.build(tx, rs, p, LedgerView(None))
        log: set[str] = set()
        r = restrictions.restriction(Recorder(f, log))
        reads["restriction"] |= log
        for i, item in enumerate(tx.items):
            for name, paths in _line_reads(tx, f, r, i, item, p).items():
                reads[name] |= paths
    return reads


DECLARED = {"restriction": restrictions.READS, "license_requirement": license_requirements.READS,
            "duties_for": duties.READS, "uveu": veu.UVEU_READS, "nveu": veu.NVEU_READS,
            **{n: m.READS for n, (m, _, _) in PROVISIONS.items() if n not in ("uveu", "nveu")}}


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_provision_reads_only_what_it_declares(observed, name):
    assert observed[name], f"{name} never ran"
    undeclared = observed[name] - DECLARED[name]
    assert not undeclared, f"{name} reads facts it does not declare in READS: {sorted(undeclared)}"


def test_the_recorder_catches_an_undeclared_read():
    log: set[str] = set()
    tx = parse_transaction({"id": "R", "date": "2025-07-01", "action": "export", "destination": "FR",
                            "items": [{"catalog": "nvidia-b200", "quantity": 1}],
                            "parties": {"ultimate_consignee": {"name": "Lyon Calcul", "country": "FR"}}})
    rs = resolve(None, tx.date).ruleset
    f = Recorder(Facts.build(tx, rs, rs.params(tx.date), LedgerView(None)), log)
    assert f.tx.end_use is None and f.dest == "FR"
    assert log == {"tx.end_use", "dest"}
    with pytest.raises(AttributeError):
        f.dest = "US"
