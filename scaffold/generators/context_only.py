"""`context_only`: counterfactual facts that must be answered from the passage, not from memory.

What it tests: whether a model answers from the context it is given when that context
contradicts what it learned ("In this document, the capital of France is Lyon."). Each
passage states several counterfactual facts (the others are distractors); the question
asks about one of them.

Verifiable by construction: every fact in the table below carries its real answer and
replacements that differ from it (neither contains the other); `expected` is the
replacement the passage states, and `world_answer` the real answer, which never appears in
the passage (passages where it would, through another sentence, are redrawn). An
experiment checks `icontains: "{{ expected }}"` and `not_contains: "{{ world_answer }}"`.

Vars: `passage`, `question`, `world_answer`. Tags: the fact's category. Options:
`facts_per_passage` (default 5), `questions_per_passage` (default 1; questions about one
passage share its id as `cluster`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from scaffold.generators.base import case_id, check_count_and_seed, int_option, reject_unknown_options
from scaffold.registry import registers

NAME = "context_only"
MAX_REDRAWS = 200


@dataclass(frozen=True)
class Fact:
    """One fact: how to state it with some answer, how to ask it, its real answer, and replacements."""

    category: str
    statement: str
    """A sentence with `{answer}` where the answer goes, starting in lower case."""
    question: str
    world_answer: str
    counterfactuals: tuple[str, ...]

    def stated(self, answer: str) -> str:
        """The statement with `answer` filled in."""
        return self.statement.format(answer=answer)


def _facts(category: str, statement: str, question: str, rows: list[tuple[str, str, str, str]]) -> list[Fact]:
    """Facts of one kind from rows of (subject, real answer, replacement, replacement)."""
    return [
        Fact(
            category, statement.replace("{subject}", subject), question.format(subject=subject), world, (first, second)
        )
        for subject, world, first, second in rows
    ]


FACTS: tuple[Fact, ...] = tuple(
    _facts(
        "capital",
        "the capital of {subject} is {answer}",
        "What is the capital of {subject}?",
        [
            ("France", "Paris", "Lyon", "Marseille"),
            ("Spain", "Madrid", "Barcelona", "Seville"),
            ("Italy", "Rome", "Milan", "Naples"),
            ("Germany", "Berlin", "Munich", "Hamburg"),
            ("Japan", "Tokyo", "Osaka", "Kyoto"),
            ("Australia", "Canberra", "Sydney", "Melbourne"),
            ("Canada", "Ottawa", "Toronto", "Vancouver"),
            ("Egypt", "Cairo", "Alexandria", "Luxor"),
            ("Turkey", "Ankara", "Istanbul", "Izmir"),
            ("Kenya", "Nairobi", "Mombasa", "Kisumu"),
            ("Morocco", "Rabat", "Casablanca", "Marrakesh"),
            ("Switzerland", "Bern", "Zurich", "Geneva"),
            ("Pakistan", "Islamabad", "Karachi", "Lahore"),
            ("New Zealand", "Wellington", "Auckland", "Christchurch"),
        ],
    )
    + _facts(
        "chemical symbol",
        "the chemical symbol for {subject} is {answer}",
        "What is the chemical symbol for {subject}?",
        # Replacements are no element's symbol and unlikely inside ordinary words.
        [
            ("gold", "Au", "Gq", "Gx"),
            ("silver", "Ag", "Sx", "Sj"),
            ("iron", "Fe", "Fz", "Ij"),
            ("sodium", "Na", "Nz", "Sq"),
            ("lead", "Pb", "Lq", "Pz"),
            ("mercury", "Hg", "Mx", "Hq"),
            ("tin", "Sn", "Tz", "Tq"),
            ("copper", "Cu", "Cq", "Cx"),
        ],
    )
    + _facts(
        "author",
        "{subject} was written by {answer}",
        "Who wrote {subject}?",
        [
            ("the novel Pride and Prejudice", "Jane Austen", "George Eliot", "Elizabeth Gaskell"),
            ("the novel Moby-Dick", "Herman Melville", "Nathaniel Hawthorne", "Mark Twain"),
            ("the novel Nineteen Eighty-Four", "George Orwell", "Aldous Huxley", "Evelyn Waugh"),
            ("the novel War and Peace", "Leo Tolstoy", "Ivan Turgenev", "Anton Chekhov"),
            ("the play Hamlet", "William Shakespeare", "Christopher Marlowe", "Ben Jonson"),
            ("the epic poem The Odyssey", "Homer", "Virgil", "Hesiod"),
            ("the novel The Great Gatsby", "F. Scott Fitzgerald", "Ernest Hemingway", "John Steinbeck"),
            ("the novel Don Quixote", "Miguel de Cervantes", "Lope de Vega", "Francisco de Quevedo"),
        ],
    )
    + _facts(
        "painter",
        "{subject} was painted by {answer}",
        "Who painted {subject}?",
        [
            ("the Mona Lisa", "Leonardo da Vinci", "Raphael", "Titian"),
            ("The Starry Night", "Vincent van Gogh", "Claude Monet", "Paul Cezanne"),
            ("Guernica", "Pablo Picasso", "Joan Miro", "Henri Matisse"),
        ],
    )
    + _facts(
        "language",
        "the official language of {subject} is {answer}",
        "What is the official language of {subject}?",
        [
            ("Brazil", "Portuguese", "Spanish", "Italian"),
            ("Austria", "German", "Dutch", "Hungarian"),
            ("Argentina", "Spanish", "Portuguese", "French"),
        ],
    )
    + [
        Fact(category, statement, question, world, (first, second))
        for category, statement, question, world, first, second in [
            ("number", "water boils at {answer} degrees Celsius at sea level",
             "At what temperature, in degrees Celsius, does water boil at sea level?", "100", "92", "87"),
            ("number", "a standard piano has {answer} keys", "How many keys does a standard piano have?",
             "88", "76", "94"),
            ("number", "an adult human skeleton has {answer} bones",
             "How many bones does an adult human skeleton have?", "206", "214", "198"),
            ("number", "a leap year has {answer} days", "How many days does a leap year have?", "366", "372", "359"),
            ("number", "Mount Everest is {answer} metres tall", "How tall is Mount Everest, in metres?",
             "8849", "7920", "9315"),
            ("number", "a right angle measures {answer} degrees", "How many degrees does a right angle measure?",
             "90", "80", "75"),
            ("science", "the largest planet in the solar system is {answer}",
             "What is the largest planet in the solar system?", "Jupiter", "Saturn", "Neptune"),
            ("science", "the planet closest to the Sun is {answer}", "Which planet is closest to the Sun?",
             "Mercury", "Venus", "Mars"),
            ("science", "penicillin was discovered by {answer}", "Who discovered penicillin?",
             "Alexander Fleming", "Louis Pasteur", "Joseph Lister"),
            ("science", "the fastest land animal is the {answer}", "What is the fastest land animal?",
             "cheetah", "pronghorn", "greyhound"),
            ("geography", "the tallest mountain in Africa is {answer}", "What is the tallest mountain in Africa?",
             "Kilimanjaro", "Mount Kenya", "Mount Stanley"),
            ("geography", "the longest river in Africa is the {answer}", "What is the longest river in Africa?",
             "Nile", "Congo", "Zambezi"),
        ]
    ]
)
"""The fact table: real answers with plausible counterfactual replacements (ASCII only)."""


def _passage(statements: list[str]) -> str:
    """Sentences in order; the first opens with "In this document," to mark the facts as the document's."""
    sentences = [f"In this document, {statements[0]}."]
    sentences += [f"{statement[0].upper()}{statement[1:]}." for statement in statements[1:]]
    return " ".join(sentences)


@registers("generator", NAME)
def generate(n: int, seed: int, **options: Any) -> list[dict[str, Any]]:
    """`n` questions over counterfactual passages drawn from `random.Random(seed)`; see the module docstring."""
    check_count_and_seed(NAME, n, seed)
    reject_unknown_options(NAME, options, ("facts_per_passage", "questions_per_passage"))
    facts_per_passage = int_option(NAME, "facts_per_passage", options.get("facts_per_passage", 5), 1, len(FACTS))
    per_passage = int_option(
        NAME, "questions_per_passage", options.get("questions_per_passage", 1), 1, facts_per_passage
    )

    rng = random.Random(seed)
    cases: list[dict[str, Any]] = []
    passage_index = 0
    while len(cases) < n:
        question_count = min(per_passage, n - len(cases))
        passage, asked = _draw_passage(rng, facts_per_passage, question_count)
        for fact, answer in asked:
            cases.append(
                {
                    "id": case_id(NAME, len(cases), n),
                    "vars": {"passage": passage, "question": fact.question, "world_answer": fact.world_answer},
                    "expected": answer,
                    "cluster": f"passage-{passage_index:04d}",
                    "tags": [fact.category],
                }
            )
        passage_index += 1
    return cases


def _draw_passage(rng: random.Random, fact_count: int, question_count: int) -> tuple[str, list[tuple[Fact, str]]]:
    """A passage of `fact_count` counterfactual statements, and `question_count` of its facts with their answers.

    Redrawn while an asked fact's real answer shows up anywhere in the passage (say "Au"
    inside "Australia"), so that `not_contains: world_answer` only catches answers from memory."""
    for _ in range(MAX_REDRAWS):
        facts = rng.sample(FACTS, fact_count)
        answers = [rng.choice(fact.counterfactuals) for fact in facts]
        passage = _passage([fact.stated(answer) for fact, answer in zip(facts, answers)])
        asked = [(facts[index], answers[index]) for index in sorted(rng.sample(range(fact_count), question_count))]
        if not any(fact.world_answer in passage for fact, _ in asked):
            return passage, asked
    raise ValueError(f"{NAME}: could not draw a passage without the real answers; use fewer facts_per_passage")
