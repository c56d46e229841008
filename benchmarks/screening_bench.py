"""Screening speed: 10^4 parties against a generated list of 2x10^4 entries (CSL layout, invented
names), through the blocked index; baseline: a brute-force scan (every name scored) over the same
data in the same run, on a sample. Also the labelled evaluation set's precision and recall.

`python -m benchmarks.screening_bench [--quick]` prints JSON.
"""

from __future__ import annotations

import csv
import json
import random
import sys
import time
from pathlib import Path

SYLLABLES = ("ka ri no va lu mi to ser an dor vex qui zan bel tor ral fen gri mo sha ul pex dra vin cor "
             "lys thar nim bok pel orn ste fi ja ku ze").split()
GENERIC = ("Technology", "Systems", "Trading", "Electronics", "Research Institute", "Data", "Semiconductor",
           "Logistics", "Precision Instruments", "Cloud Services", "Holdings", "Industries")
FORMS = ("Co., Ltd.", "LLC", "GmbH", "OOO", "Limited", "JSC", "S.A.", "Pte. Ltd.", "")
LISTS = (("Entity List (EL) - Bureau of Industry and Security", 0.5), ("Specially Designated Nationals (SDN) - "
         "Treasury Department", 0.35), ("Denied Persons List (DPL) - Bureau of Industry and Security", 0.05),
         ("Unverified List (UVL) - Bureau of Industry and Security", 0.05),
         ("Military End User (MEU) List - Bureau of Industry and Security", 0.05))
COUNTRIES = ("CN", "RU", "IR", "HK", "AE", "SG", "TR", "BY", "KP", "SY", "DE", "FR", "IN", "MY", "TH")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _name(rng: random.Random) -> str:
    words = [_word(rng) for _ in range(rng.randint(1, 2))]
    return " ".join(words + [rng.choice(GENERIC), rng.choice(FORMS)]).strip()


def generate_list(n: int, path: Path, seed: int = 16) -> list[dict]:
    """A CSL-layout CSV of n invented entries (about one in three with an alternate name)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        source = rng.choices([s for s, _ in LISTS], [w for _, w in LISTS])[0]
        name = _name(rng)
        alt = _name(rng) if rng.random() < 0.33 else ""
        rows.append({"_id": f"g{i}", "source": source, "type": "Entity", "name": name, "alt_names": alt,
                     "addresses": f"{rng.randint(1, 99)} Road, City, , , {rng.choice(COUNTRIES)}",
                     "federal_register_notice": f"9{rng.randint(0, 1)} FR {rng.randint(1000, 99999)}",
                     "license_requirement": "For all items subject to the EAR.", "license_policy": "Presumption of denial."})
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["_id", "source", "entity_number", "type", "programs", "name", "title",
                                          "addresses", "federal_register_notice", "start_date", "end_date",
                                          "license_requirement", "license_policy", "source_list_url", "alt_names"])
        w.writeheader()
        for r in rows:
            w.writerow(r)
    return rows


def _variant(rng: random.Random, name: str) -> str:
    words = name.split()
    kind = rng.randrange(4)
    if kind == 0:
        rng.shuffle(words)
    elif kind == 1:
        words = [w for w in words if w.rstrip(".,") not in ("Co", "Ltd", "LLC", "GmbH", "OOO", "Limited", "JSC")]
        words.append(rng.choice(FORMS))
    elif kind == 2:
        i = rng.randrange(len(words))
        w = words[i]
        j = rng.randrange(max(1, len(w) - 1))
        words[i] = w[:j] + rng.choice("aeiouy") + w[j + 1:]
    return " ".join(w for w in words if w)


def parties(rows: list[dict], n: int, seed: int = 61) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if rng.random() < 0.2:
            r = rng.choice(rows)
            out.append((_variant(rng, r["name"]), r["addresses"].rsplit(", ", 1)[-1]))
        else:
            out.append((_name(rng), rng.choice(COUNTRIES)))
    return out


def evaluation() -> dict:
    from aidf.screening.index import ListIndex
    from aidf.screening.lists import read_list
    from aidf.screening.settings import settings

    data = Path(__file__).resolve().parent.parent / "tests" / "screening" / "data"
    entries = read_list(data / "csl_fixture.csv")[0]
    rows = list(csv.DictReader((data / "eval.csv").open()))
    out = {}
    for review in (0.70, 0.75, 0.80, 0.85, 0.90):
        ix = ListIndex(entries, settings(review=review, match=max(review, 0.95)))
        tp = fp = fn = 0
        for r in rows:
            found = {h.entry.entry_id for h in ix.screen(r["name"], r["country"] or None)}
            want = {r["expected"]} if r["expected"] else set()
            tp, fp, fn = tp + len(found & want), fp + len(found - want), fn + len(want - found)
        out[f"{review:.2f}"] = {"precision": round(tp / max(1, tp + fp), 4), "recall": round(tp / max(1, tp + fn), 4),
                                "tp": tp, "fp": fp, "fn": fn}
    return {"eval_queries": len(rows), "eval_positives": sum(1 for r in rows if r["expected"]), "eval": out}


def run(quick: bool = False) -> dict:
    import tempfile

    from aidf.screening.index import ListIndex
    from aidf.screening.lists import read_list
    from aidf.screening.settings import settings

    n_entries, n_parties, n_brute = (4000, 2000, 100) if quick else (20_000, 10_000, 300)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        rows = generate_list(n_entries, path)
        t = time.perf_counter()
        entries, _ = read_list(path)
        read_s = time.perf_counter() - t
    t = time.perf_counter()
    ix = ListIndex(entries, settings())
    build_s = time.perf_counter() - t
    ps = parties(rows, n_parties)
    # Wall time and CPU time: on a shared machine the CPU time is the steadier of the two.
    t, c = time.perf_counter(), time.process_time()
    hits = [ix.screen(name, country) for name, country in ps]
    screen_s, screen_cpu = time.perf_counter() - t, time.process_time() - c
    sample = ps[:n_brute]
    t, c = time.perf_counter(), time.process_time()
    brute = [ix.screen(name, country, brute_force=True) for name, country in sample]
    brute_s, brute_cpu = time.perf_counter() - t, time.process_time() - c
    agree = sum(1 for a, b in zip(hits[:n_brute], brute, strict=True)
                if [h.entry.entry_id for h in a] == [h.entry.entry_id for h in b])
    blocks = [len(ix.candidates(ix_norm)) for ix_norm in _norms(ps[:1000], ix)]
    rate, brute_rate = n_parties / screen_s, n_brute / brute_s
    return {"entries": n_entries, "names_indexed": len(ix.norms), "parties": n_parties,
            "read_list_s": round(read_s, 2), "index_build_s": round(build_s, 2),
            "screen_parties_per_s": round(rate, 1), "brute_force_parties_per_s": round(brute_rate, 1),
            "speedup_vs_brute_force": round(rate / brute_rate, 1), "brute_force_sample": n_brute,
            "screen_parties_per_cpu_s": round(n_parties / screen_cpu, 1),
            "brute_force_parties_per_cpu_s": round(n_brute / brute_cpu, 1),
            "load_average": _load(),
            "same_hits_as_brute_force": f"{agree}/{n_brute}",
            "block_size_mean": round(sum(blocks) / len(blocks), 1), "block_size_max": max(blocks),
            "parties_with_hits": sum(1 for h in hits if h)} | evaluation()


def _load() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return None


def _norms(ps, ix):
    from aidf.screening.normalize import normalize

    return [normalize(n, ix.settings.legal_forms_cjk) for n, _ in ps]


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
