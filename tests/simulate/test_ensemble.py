"""Ensembles: seeded demand draws x scenarios, on a Dask LocalCluster and on the local pool alike."""

from __future__ import annotations

import pytest

from aidf.simulate import ensemble, scenario

HALF = {"name": "half", "rules": "ai-diffusion-2025",
        "overrides": {"part742/country_allocation": {"tpp_per_country": 395000000}}}


@pytest.fixture(scope="module")
def scenarios():
    return [scenario.from_rules("ai-diffusion-2025"), scenario.parse(HALF)]


def test_bands_on_a_local_cluster_equal_the_local_run(scenarios):
    from distributed import Client, LocalCluster

    local = ensemble.run(scenarios, draws=3, lines=400, workers=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        on_dask = ensemble.run(scenarios, draws=3, lines=400, scheduler=client)
    assert on_dask["bands"] == local["bands"]
    india = {b["scenario"]: b for b in local["bands"] if b["country"] == "IN"}
    assert india["half"]["median"] <= india["ai-diffusion-2025"]["median"]
    for b in local["bands"]:
        assert b["p05"] <= b["median"] <= b["p95"] and b["draws"] == 3


def test_reduce_counts_a_country_missing_from_a_draw_as_zero():
    results = [{"scenario": "s", "seed": i, "authorized_h100": {"IN": 10.0} if i else {}, "exhausted_on": {"IN": None}}
               for i in range(3)]
    (band,) = ensemble.reduce(results)
    assert (band["median"], band["p05"], band["p95"]) == (10.0, 1.0, 10.0)
