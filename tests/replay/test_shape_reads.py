"""Shape keys follow the provisions' READS: every fact a provision reads is carried by a key field."""

from __future__ import annotations

import pytest

from aidf.replay import shapes


def test_every_fact_read_is_carried_metered_or_wording():
    assert shapes.key_fields() >= {"iclass", "mode", "ctx", "dsig", "action"}
    for path in shapes.provision_reads():
        assert path in shapes.CARRIED_BY or path in shapes.METERED or path in shapes.WORDING, path


def test_a_new_reading_stops_replay(monkeypatch):
    from aidf.rules.exceptions import nac_aca

    monkeypatch.setattr(nac_aca, "READS", nac_aca.READS | {"tx.purchaser"})
    with pytest.raises(NotImplementedError, match="tx.purchaser"):
        shapes.key_fields()


def test_a_field_no_provision_reads_leaves_the_key(monkeypatch):
    from aidf.rules.exceptions import lpp

    monkeypatch.setattr(lpp, "READS", lpp.READS - {"tx.direct_to_consignee"})
    assert "direct" not in shapes.key_fields()
