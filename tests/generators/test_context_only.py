"""`context_only`: the passage states the counterfactual answer and never the real one."""

from __future__ import annotations

import re

import pytest

from scaffold.generators.context_only import FACTS, generate


def sentences(passage: str) -> list[str]:
    return [sentence for sentence in re.split(r"(?<=\.) ", passage) if sentence]


def test_every_fact_has_replacements_that_differ_from_the_real_answer() -> None:
    assert len(FACTS) >= 30
    for fact in FACTS:
        assert len(fact.counterfactuals) >= 1
        for answer in fact.counterfactuals:
            assert answer.lower() not in fact.world_answer.lower(), fact
            assert fact.world_answer.lower() not in answer.lower(), fact
        assert fact.world_answer not in fact.question
        assert fact.statement.count("{answer}") == 1


def test_the_table_is_ascii() -> None:
    for fact in FACTS:
        for text in (fact.statement, fact.question, fact.world_answer, *fact.counterfactuals):
            assert text.isascii(), text


def test_the_answer_is_in_the_passage_and_the_world_answer_is_not() -> None:
    for case in generate(300, 21):
        passage, expected, world = case["vars"]["passage"], case["expected"], case["vars"]["world_answer"]
        assert expected != world
        assert expected in passage
        assert world not in passage


def test_the_asked_fact_is_stated_once_with_the_counterfactual_answer() -> None:
    by_question = {fact.question: fact for fact in FACTS}
    for case in generate(200, 3):
        fact = by_question[case["vars"]["question"]]
        assert case["vars"]["world_answer"] == fact.world_answer
        assert case["expected"] in fact.counterfactuals
        stated = fact.stated(case["expected"])
        matching = [s for s in sentences(case["vars"]["passage"]) if s.lower().endswith(stated.lower() + ".")]
        assert len(matching) == 1, (case["vars"]["passage"], stated)
        assert case["tags"] == [fact.category]


def test_passages_hold_the_asked_number_of_facts_and_open_with_the_document_frame() -> None:
    for case in generate(50, 8, facts_per_passage=7):
        passage = case["vars"]["passage"]
        assert passage.startswith("In this document, ")
        assert len(sentences(passage)) == 7


def test_questions_per_passage_share_the_passage_and_cluster() -> None:
    cases = generate(7, 5, questions_per_passage=3, facts_per_passage=6)
    assert [case["cluster"] for case in cases] == ["passage-0000"] * 3 + ["passage-0001"] * 3 + ["passage-0002"]
    first = cases[:3]
    assert len({case["vars"]["passage"] for case in first}) == 1
    assert len({case["vars"]["question"] for case in first}) == 3


def test_a_single_fact_passage_has_no_distractors() -> None:
    case = generate(1, 1, facts_per_passage=1)[0]
    assert len(sentences(case["vars"]["passage"])) == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"facts_per_passage": 0}, f"option 'facts_per_passage' must be between 1 and {len(FACTS)}, got 0"),
        ({"questions_per_passage": 6}, "option 'questions_per_passage' must be between 1 and 5, got 6"),
        ({"facts": 3}, "unknown option 'facts'"),
    ],
)
def test_bad_options_are_explained(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"context_only: {message}")):
        generate(5, 1, **options)
