"""The file-import card: drag-and-drop upload of several files or a zip, a progress bar while the
import runs, the result and per-file errors, and the demo-data button. Presentational only."""

from __future__ import annotations

import reflex as rx

from cadence.components.forms import callout, card
from cadence.components.ui import MUTED, TAP

UPLOAD_ID = "health_files"
ACCEPT = {
    "application/octet-stream": [".fit", ".FIT", ".gpx", ".tcx", ".csv"],
    "application/xml": [".xml", ".gpx", ".tcx"],
    "application/zip": [".zip"],
    "text/csv": [".csv"],
}
READABLE = (
    "Cadence reads FIT, GPX, TCX, Apple Health export.zip/.xml, Strong and Hevy CSV, "
    "and Cadence export zips."
)


def _name_file_input(component: rx.Component, name: str) -> rx.Component:
    """Give ``rx.upload``'s hidden file input an accessible name (Reflex renders it without
    props, so screen readers announced an unnamed control)."""
    for child in component.children:
        if type(child).__name__ == "Input":
            child.custom_attrs["aria-label"] = name
        _name_file_input(child, name)
    return component


def _drop_zone() -> rx.Component:
    return _name_file_input(_upload(), "Choose files to import")


def _upload() -> rx.Component:
    return rx.upload(
        rx.vstack(
            rx.icon("upload", size=28, color=MUTED),
            rx.text("Drop files here or tap to choose", weight="medium"),
            rx.text(
                "FIT, GPX, TCX, Apple Health export.xml or export.zip, Strong/Hevy CSV — "
                "several at once, or one zip.",
                size="1",
                color=MUTED,
                text_align="center",
            ),
            align="center",
            spacing="2",
            padding="20px",
        ),
        id=UPLOAD_ID,
        multiple=True,
        accept=ACCEPT,
        # Reflex's own toast lists MIME types with duplicates ("must be one of
        # application/octet-stream, .fit, .FIT..."): say in words what Cadence reads
        on_drop_rejected=lambda rejected: rx.toast.error(
            "That file type can't be imported. " + READABLE, id="upload-rejected"
        ),
        border=f"2px dashed {rx.color('gray', 7)}",
        border_radius="12px",
        width="100%",
        cursor="pointer",
        min_height="120px",
    )


def _selected() -> rx.Component:
    return rx.foreach(
        rx.selected_files(UPLOAD_ID),
        lambda name: rx.hstack(rx.icon("file", size=14), rx.text(name, size="2"), spacing="2"),
    )


def _progress(status: rx.Var, progress: rx.Var, summary: rx.Var, importing: rx.Var):
    color = rx.match(status, ("done", "green"), ("partial", "amber"), ("failed", "tomato"), "blue")
    return rx.cond(
        status != "",
        rx.vstack(
            rx.hstack(
                rx.badge(status, color_scheme=color, variant="soft", id="import_status"),
                rx.text(summary, size="2", id="import_summary"),
                rx.spacer(),
                rx.cond(importing, rx.text(progress.to(str) + "%", size="2", color=MUTED)),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.progress(value=progress, max=100, width="100%", id="import_progress"),
            width="100%",
            spacing="2",
        ),
    )


def _imported(rows: rx.Var) -> rx.Component:
    """The activities found in the uploaded files (date, sport, duration, distance, HR)."""
    row = lambda r: rx.hstack(  # noqa: E731
        rx.icon("activity", size=16, color=rx.color("teal", 10)),
        rx.text(r["title"], size="2", weight="medium"),
        rx.text(r["details"], size="1", color=MUTED),
        rx.spacer(),
        rx.text(r["when"], size="1", color=MUTED, white_space="nowrap"),
        width="100%",
        align="center",
        spacing="2",
        wrap="wrap",
        class_name="imported-item",
    )
    return rx.cond(
        rows.length() > 0,
        rx.vstack(rx.foreach(rows, row), spacing="2", width="100%"),
    )


def _errors(errors: rx.Var) -> rx.Component:
    return rx.cond(
        errors.length() > 0,
        rx.vstack(
            rx.text("Some files or records could not be imported:", size="2", weight="medium"),
            rx.foreach(
                errors,
                lambda e: rx.text("• ", e, size="2", color=rx.color("tomato", 11), role="alert"),
            ),
            spacing="1",
            width="100%",
        ),
    )


def _unit_choice(value: rx.Var, on_change) -> rx.Component:
    """The unit of weights in files that do not say theirs (older Strong exports)."""
    return rx.hstack(
        rx.text("Weights in Strong files without a unit column:", size="1", color=MUTED),
        rx.select.root(
            rx.select.trigger(aria_label="Unit of weights without a unit", min_height=TAP),
            rx.select.content(
                rx.select.item("my unit", value="mine"),
                rx.select.item("kg", value="kg"),
                rx.select.item("lb", value="lb"),
            ),
            value=value,
            on_change=on_change,
            size="1",
        ),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def _wide_button(icon: str, label: str, on_click, loading: rx.Var, **props) -> rx.Component:
    """A full-width button with a 44 px tap target."""
    return rx.button(
        rx.icon(icon, size=16),
        label,
        on_click=on_click,
        loading=loading,
        size="3",
        min_height=TAP,
        width="100%",
        **props,
    )


def import_card(
    *,
    on_import: rx.EventSpec,
    status: rx.Var,
    progress: rx.Var,
    summary: rx.Var,
    errors: rx.Var,
    imported: rx.Var,
    importing: rx.Var,
    upload_error: rx.Var,
    on_demo: rx.EventHandler,
    demo_loading: rx.Var,
    demo_message: rx.Var,
    demo_error: rx.Var,
    weight_unit: rx.Var,
    on_weight_unit,
    mappings: rx.Component,
) -> rx.Component:
    """Upload area + progress + results (with ``mappings``: the imported exercise names to
    confirm as catalogue exercises), and the demo-data button under it."""
    return card(
        callout(upload_error),
        _drop_zone(),
        _selected(),
        _unit_choice(weight_unit, on_weight_unit),
        _wide_button("file-up", "Import files", on_import, importing, id="import_button"),
        _progress(status, progress, summary, importing),
        _imported(imported),
        _errors(errors),
        mappings,
        rx.divider(),
        rx.text("No device yet? Try Cadence with 90 days of realistic sample data.", size="2"),
        callout(demo_error),
        callout(demo_message, kind="success"),
        _wide_button(
            "sparkles", "Load demo data", on_demo, demo_loading, id="demo_button", variant="soft"
        ),
        title="Import files",
    )
