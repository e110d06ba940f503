"""Shared UI helpers of the dashboard: data access (ui.data), the sidebar
filters (ui.filters), the chart style and number formats (ui.style), and the
tables/charts/downloads/empty states every page draws alike (ui.components)."""
from ui import style  # noqa: F401  (registers the plotly template)
from ui.components import (  # noqa: F401
    sample_points,
    KIND_COLORS,
    kind_colors,
    kind_labels,
    page_start,
    plain,
    text,
    chart,
    demo_note,
    display_frame,
    downloads,
    has_demo,
    heading_years,
    is_open,
    metric,
    no_database,
    nothing_matches,
    open_unit,
    table,
)
from ui.data import DataError, fetch, run, status  # noqa: F401
from ui.filters import Filters, current  # noqa: F401
