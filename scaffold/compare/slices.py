"""Slices by case tag (DESIGN 9): the same numbers, read over the cases of one tag.

`run --by tag` adds one summary per tag, `diff --by tag` one block of comparisons per tag,
and `--tag T` keeps only the cases tagged T. A case with several tags is in each of their
slices; tags come in the order the cases first show them.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from scaffold.cells import CellResult
from scaffold.engine.summary import RunSummary, RunTally

CaseTags = Mapping[str, Sequence[str]]
"""{case id: its tags}."""


def tags_in_order(case_tags: CaseTags) -> list[str]:
    """Every tag once, in the order the cases first show them."""
    return list(dict.fromkeys(tag for tags in case_tags.values() for tag in tags))


def tagged_results(results: Iterable[CellResult], case_tags: CaseTags, tag: str) -> list[CellResult]:
    """The results of the cases tagged `tag`."""
    return [result for result in results if tag in case_tags.get(result.key.case_id, ())]


def tag_summaries(
    results: Sequence[CellResult], case_tags: CaseTags, groups: Sequence[tuple[str, str, str]], repeats: int = 1,
    tags: Sequence[str] | None = None,
) -> list[tuple[str, RunSummary]]:
    """One summary per tag (each of `tags`, default every tag), its groups in the order of `groups`."""
    slices = []
    for tag in tags if tags is not None else tags_in_order(case_tags):
        tally = RunTally(repeats=repeats)
        for group in groups:
            tally.ensure_group(*group)
        for result in tagged_results(results, case_tags, tag):
            tally.add(result)
        slices.append((tag, tally.summary()))
    return slices
