from scaffold.cells import CallRecord, CellKey, CellResult, Usage
from scaffold.engine.summary import summarize


def _cell(case: str, repeat: int, status: str) -> CellResult:
    return CellResult(CellKey("v", "single", "m", case, repeat), status, "x", None,  # type: ignore[arg-type]
                      calls=(CallRecord(Usage(10, 2), 0.1),))


def test_pass_at_k_is_estimated_at_one_k_and_skips_cases_that_lost_samples():
    cells = [
        _cell("c1", 0, "passed"), _cell("c1", 1, "failed"), _cell("c1", 2, "failed"),
        _cell("c2", 0, "passed"), _cell("c2", 1, "passed"), _cell("c2", 2, "passed"),
        _cell("c3", 0, "failed"), _cell("c3", 1, "error"), _cell("c3", 2, "failed"),  # 2 samples: no pass@3
    ]
    group = summarize(cells, repeats=3).groups[0]
    assert group.pass_at_k == 1.0  # c1 and c2 each passed at least once in 3
    assert group.pass_all_k == 0.5  # only c2 passed all 3
    assert (group.passed, group.failed, group.errors) == (4, 4, 1)
