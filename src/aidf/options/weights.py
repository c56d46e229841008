"""Weights (4E091): storage, publication, and a derivative under the threshold.

- storage meeting Supp. No. 10 to Part 748 paras 14, 15 and 18 (AIA (a)(3), 740.27(a)(3)(ii));
- published weights are not 4E091 (exclusion note; 734.7(a));
- a derivative of published weights trained with no more extra operations than the exclusion
  allows (4E091 exclusion note 1), found by bisection with the engine (the note reads two ways).
"""

from __future__ import annotations

from collections.abc import Iterator

from aidf.cite import WEIGHTS_STORAGE
from aidf.model import Option
from aidf.options.numeric import edge
from aidf.options.probe import Context, option


def _try(ctx: Context, change: dict, why: str) -> Iterator[Option]:
    d = ctx.probe(change)
    if ctx.better(d):
        yield option("weights", change, d, why)


def weights_options(ctx: Context) -> Iterator[Option]:
    for i, item in enumerate(ctx.tx.items):
        w = item.model_weights
        if w is None or ctx.base.items[i].eccn != "4E091":
            continue
        at = f"items.{i}.model_weights"
        if w.storage_meets_supp10_14_15_18 is not True:
            yield from _try(ctx, {f"{at}.storage_meets_supp10_14_15_18": True},
                            f"store the weights of line {i} in a facility meeting {WEIGHTS_STORAGE}")
        yield from _try(ctx, {f"{at}.published": True}, f"the weights of line {i} are published (not 4E091)")
        if w.base_model_published and w.extra_training_operations:
            path = f"{at}.extra_training_operations"
            if ctx.better(ctx.probe({path: 0.0})):
                _, most = edge(ctx, path, 0.0, w.extra_training_operations, ctx.better)
                yield from _try(ctx, {path: most}, f"derive the model of line {i} with at most {most:.3e} extra training "
                                                   "operations (4E091 exclusion note 1); more is not excluded")
