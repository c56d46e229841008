"""Name folding, blocking and explained scores; the labelled evaluation set at the default thresholds."""

from __future__ import annotations

import csv
import json

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aidf.errors import InputError
from aidf.screening.index import ListIndex
from aidf.screening.lists import parse_list, read_list
from aidf.screening.normalize import normalize
from aidf.screening.settings import settings as screening_settings
from tests.screening.helpers import DATA, FIXTURE

S = screening_settings()


@pytest.fixture(scope="module")
def index():
    return ListIndex(read_list(FIXTURE)[0], S)


@pytest.mark.parametrize("name, tokens, forms", [
    ("Shenzhen Dragon Micro Co., Ltd.", ("dragon", "micro", "shenzhen"), ("coltd",)),
    ("Acme Holdings LLC", ("acme", "holdings"), ("llc",)),
    ("Muster Rechen GmbH", ("muster", "rechen"), ("gmbh",)),
    ("ООО Волков Тех", ("teh", "volkov"), ("ooo",)),
    ("深圳龙微电子有限公司", ("dian", "long", "shen", "wei", "zhen", "zi"), ("有限公司",)),
    ("Micro Dragon  SHENZHEN", ("dragon", "micro", "shenzhen"), ()),
])
def test_normalize_folds_transliterates_and_records_legal_forms(name, tokens, forms):
    n = normalize(name, S.legal_forms_cjk)
    assert n.tokens == tokens and n.legal_forms == forms


def test_word_order_and_legal_form_do_not_matter(index):
    a = index.screen("Computing Quantum Zarvox Limited", "CN")
    assert a[0].entry.entry_id == "EL:fx01" and a[0].score == 1.0 and a[0].exact


def test_every_feature_is_shown_with_its_weight(index):
    hit = index.screen("Zarvocks Quantum Computing", "CN")[0]
    assert set(hit.features) == set(S.weights)
    total = sum(f["value"] * f["weight"] for f in hit.features.values())
    assert hit.score == pytest.approx(min(1.0, total), abs=1e-3)
    assert all(f["why"] for f in hit.features.values())


def test_both_sides_of_the_review_threshold(index):
    hit = index.screen("Lysandra Calcul", "FR")[0]
    low = ListIndex(index.entries, screening_settings(review=hit.score, match=max(hit.score, S.match)))
    assert [h.entry.entry_id for h in low.screen("Lysandra Calcul", "FR")] == ["EL:fx13"]
    above = min(1.0, hit.score + 0.0001)
    high = ListIndex(index.entries, screening_settings(review=above, match=max(above, S.match)))
    assert high.screen("Lysandra Calcul", "FR") == []


def _eval_rows():
    return list(csv.DictReader((DATA / "eval.csv").open()))


def test_evaluation_set_precision_and_recall_at_the_default_threshold(index):
    tp = fp = fn = 0
    for r in _eval_rows():
        found = {h.entry.entry_id for h in index.screen(r["name"], r["country"] or None)}
        want = {r["expected"]} if r["expected"] else set()
        tp += len(found & want)
        fp += len(found - want)
        fn += len(want - found)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    # benchmarks/RESULTS.md reports the measured values; these bounds keep them from sliding.
    assert precision >= 0.95 and recall >= 0.90, (precision, recall, tp, fp, fn)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(_eval_rows()))
def test_blocking_finds_what_a_brute_force_scan_finds(index, row):
    country = row["country"] or None
    blocked = [(h.entry.entry_id, h.score) for h in index.screen(row["name"], country)]
    brute = [(h.entry.entry_id, h.score) for h in index.screen(row["name"], country, brute_force=True)]
    assert blocked == brute


def test_csl_json_as_published_reads_like_the_csv():
    entries, _ = read_list(FIXTURE)
    results = []
    for e in entries:
        d = e.as_dict()
        results.append({"id": e.entry_id.split(":", 1)[1], "source": e.source, "name": e.name, "type": e.type,
                        "entity_number": e.entity_number, "programs": d["programs"], "alt_names": d["alt_names"],
                        "addresses": [{"address": "x", "city": "y", "country": c} for c in e.countries],
                        "federal_register_notice": e.federal_register_notice, "start_date": e.start_date,
                        "end_date": e.end_date, "license_requirement": e.license_requirement,
                        "license_policy": e.license_policy, "source_list_url": e.source_list_url})
    from_json = parse_list(json.dumps({"total": len(results), "results": results}))
    assert [x.content_hash for x in from_json] == [x.content_hash for x in entries]


def test_followthemoney_lines():
    text = "\n".join(json.dumps(o) for o in [
        {"id": "ofac-1", "schema": "Company", "datasets": ["us_ofac_sdn"],
         "properties": {"name": ["Brenvik Holdings Ltd"], "alias": ["Brenvik"], "country": ["cy"], "programId": ["CYBER2"]}},
        {"id": "addr-1", "schema": "Address", "properties": {"full": ["somewhere"]}},
        {"id": "p-2", "schema": "Person", "datasets": ["other_list"], "properties": {"name": ["Tomas Quell"]}}])
    a, b = parse_list(text)
    assert (a.list, a.entry_id, a.countries, a.programs, a.alt_names) == ("SDN", "SDN:ofac-1", ("CY",), ("CYBER2",), ("Brenvik",))
    assert (b.list, b.type) == ("OTHER_LIST", "Individual")


@pytest.mark.parametrize("text, field", [
    ("a,b\n1,2\n", "file"), ("{\"results\": 3}", "file"), ("source,name\nEL,\n", "line 2.name"),
    ("source,name\n", "file"), ("{not json", "file")])
def test_bad_list_files_name_the_problem(text, field):
    with pytest.raises(InputError) as e:
        parse_list(text)
    assert e.value.field == field


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9)


@settings(max_examples=80, deadline=None)
@given(st.lists(WORD, min_size=1, max_size=4, unique=True), st.randoms(use_true_random=False),
       st.sampled_from(["", " LLC", " GmbH", " Co., Ltd.", " Limited", " OOO"]))
def test_folding_ignores_word_order_case_and_legal_form(words, rnd, form):
    assume(not any(normalize(w, S.legal_forms_cjk).legal_forms for w in words))  # no word is itself a legal form
    base = normalize(" ".join(words), S.legal_forms_cjk)
    assume(not base.legal_forms)  # nor are two of them together ("co" "ltd")
    shuffled = words[:]
    rnd.shuffle(shuffled)
    other = normalize(" ".join(w.upper() for w in shuffled) + form, S.legal_forms_cjk)
    assert other.tokens == base.tokens
    assert bool(other.legal_forms) == bool(form)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(_eval_rows()), st.sampled_from(["CN", "RU", "FR", None]))
def test_a_hit_is_never_below_the_review_threshold_and_scores_stay_in_range(index, row, country):
    for h in index.screen(row["name"], country):
        assert S.review <= h.score <= 1.0
        assert round(sum(f["contribution"] for f in h.features.values()), 4) >= h.score or h.score == 1.0
