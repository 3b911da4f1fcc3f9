from scaffold.cells import CallRecord, CellKey, CellResult, Usage
from scaffold.compare.comparison import Side, compare


def _cells(variant: str, passes: dict[str, bool]) -> list[CellResult]:
    return [
        CellResult(CellKey(variant, "single", "m", case, 0), "passed" if ok else "failed", "x", float(ok),
                   calls=(CallRecord(Usage(10, 5), 0.1),))
        for case, ok in passes.items()
    ]


def test_a_degenerate_clustered_interval_falls_back_to_the_wider_plain_one():
    # every cluster has the same summed difference: the cluster-robust error is zero
    a = _cells("a", {"c1": False, "c2": True, "c3": False, "c4": True, "c5": False, "c6": True})
    b = _cells("b", {"c1": True, "c2": True, "c3": True, "c4": True, "c5": True, "c6": True})
    clusters = {"c1": "g1", "c2": "g1", "c3": "g2", "c4": "g2", "c5": "g3", "c6": "g3"}
    plain = compare(Side("r", "a", "single", "m"), a, Side("r", "b", "single", "m"), b)
    clustered = compare(Side("r", "a", "single", "m"), a, Side("r", "b", "single", "m"), b, clusters)
    assert plain.ci95 is not None and plain.ci95[1] > plain.ci95[0]
    assert clustered.ci95 == plain.ci95
    assert clustered.delta == plain.delta == 0.5
