"""Comparing groups: pairing cells on cases, the A vs B numbers, and CI gates (DESIGN 4)."""
