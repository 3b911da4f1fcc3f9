"""The run folder (`run.json`, `results.jsonl`) and the response cache (`cache.sqlite`), DESIGN 3."""
