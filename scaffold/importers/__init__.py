"""Cases from real usage and from other tools (DESIGN 12): `scaffold import SOURCE`.

One module per source reads it into `CaseSpec` rows (`llm_logs`, `chat_jsonl`) or a whole
library (`promptfoo`); `case_file` redacts, deduplicates, stamps `added:` and writes them, and
checks what it wrote with the same loader `scaffold run` uses.
"""
