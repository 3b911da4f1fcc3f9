"""Graded runs as training data (DESIGN 12): `scaffold export RUN --format sft|preference|rft`.

`lines` holds the pydantic shape of every line written (the OpenAI fine-tuning formats);
`sft`, `preference` and `rft` pick cells and build lines; `graders` translates checks into an
OpenAI grader. Nothing here prints: the CLI writes the files and reports the notes.
"""
