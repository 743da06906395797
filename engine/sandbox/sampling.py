"""Reproducible stratified sampling of case lists (multi-agency case file audits).

The same cohort, strata, size and seed always give the same sample, so the audit can show how it was drawn.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any


def stratified_sample(cohort: Sequence[dict[str, Any]], strata: Sequence[str], size: int,
                      seed: int) -> list[dict[str, Any]]:
    """Draw ``size`` cases, allocating places to strata in proportion to their size (largest remainder),
    with every stratum represented while places allow."""
    if size < 0:
        raise ValueError("sample size must not be negative")
    cases = list(cohort)
    if size >= len(cases):
        return cases
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for case in cases:
        groups.setdefault(tuple(str(case.get(f, "")) for f in strata), []).append(case)
    keys = sorted(groups)
    rng = random.Random(seed)
    allocation = _allocate(size, [len(groups[k]) for k in keys])
    sample: list[dict[str, Any]] = []
    for key, places in zip(keys, allocation, strict=True):  # a place count per group
        members = list(groups[key])
        rng.shuffle(members)
        sample.extend(members[:places])
    return sample


def _allocate(size: int, group_sizes: list[int]) -> list[int]:
    total = sum(group_sizes)
    if len(group_sizes) <= size:
        places = [1] * len(group_sizes)
    else:
        places = [0] * len(group_sizes)
    remaining = size - sum(places)
    quotas = [remaining * n / total for n in group_sizes]
    for i, quota in enumerate(quotas):
        places[i] += min(int(quota), group_sizes[i] - places[i])
    order = sorted(range(len(group_sizes)), key=lambda i: (quotas[i] - int(quotas[i]), group_sizes[i]), reverse=True)
    while sum(places) < size:
        progressed = False
        for i in order:
            if sum(places) < size and places[i] < group_sizes[i]:
                places[i] += 1
                progressed = True
        if not progressed:
            break
    return places
