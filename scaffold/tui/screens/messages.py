"""A variant's messages rendered for a sample case: what the model would be sent."""

from __future__ import annotations

import asyncio

from rich.console import Group, RenderableType
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from scaffold.tui.overview import SampleRender, load_overview, render_sample
from scaffold.tui.screens.base import ScaffoldScreen
from scaffold.tui.widgets.title_bar import TitleBar
from scaffold.tui.widgets.transcript import message_block


class MessagesScreen(ScaffoldScreen):
    """`FILE:VARIANT` rendered with the first case of an experiment that uses it."""

    def __init__(self, variant: str):
        super().__init__()
        self.variant = variant

    def compose(self) -> ComposeResult:
        yield TitleBar(f"prompt · {self.variant}", "rendering…")
        with VerticalScroll(id="messages-scroll"):
            yield Static("", id="messages")
        yield Footer()

    def on_mount(self) -> None:
        self.render_variant()

    @work(exclusive=True)
    async def render_variant(self) -> None:
        app = self.scaffold_app
        if app.root is None:
            return
        root = app.root
        overview = app.overview if app.overview is not None else await asyncio.to_thread(load_overview, root)
        sample = await asyncio.to_thread(render_sample, root, self.variant, overview.experiments)
        self.show(sample)

    def show(self, sample: SampleRender) -> None:
        """Fill the screen with the rendered messages (or the templates and the reason)."""
        where = f"case {sample.case_id} of {sample.experiment}" if sample.case_id else "templates (not rendered)"
        self.query_one(TitleBar).set(info=where)
        parts: list[RenderableType] = []
        if sample.problem:
            parts.append(Text(sample.problem, style="bold yellow"))
            parts.append(Text(""))
        for message in sample.messages or sample.templates:
            parts.append(message_block(message))
        self.query_one("#messages", Static).update(Group(*parts))
