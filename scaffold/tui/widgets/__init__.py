"""Widgets the screens share: the title bar, the live run grid, transcripts, the scatter plot."""
