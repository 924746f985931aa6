"""Bar charts of the statistics tables, drawn on the server as SVG (no script, nothing from
another host; the strict Content-Security-Policy allows it). The chart is a picture of the
table beside it: screen readers read the table, so the SVG is hidden from them."""

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from .stats import headline

WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 56
BAR_HEIGHT = 12
ROW_GAP = 10
MAX_LABEL = 34


def _short(label):
    label = str(label)
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def bar_chart(protected):
    """Horizontal bars of each row's headline figure, this year and (when shown) the year
    before; a suppressed figure gets no bar, only its mark. None when there is nothing to
    draw."""
    now = headline(protected)
    if now is None:
        return None
    rows = [label for label, _cells in protected.rows]
    now = now[: len(rows)]
    before = protected.compare[: len(rows)] if protected.compare else None
    numbers = [c.number for c in now] + ([c.number for c in before] if before else [])
    numbers = [n for n in numbers if isinstance(n, int | float)]
    if not rows or not numbers:
        return None
    top = max(max(numbers), 1)
    bars_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    series = [("chart-now", now)] + ([("chart-before", before)] if before else [])
    step = BAR_HEIGHT * len(series) + ROW_GAP
    # Written out, not through format_html() for each of a page's thousand bars: only the
    # labels and the figures' texts are text to escape, the rest are numbers of our own.
    parts = []
    for i, label in enumerate(rows):
        y = i * step + ROW_GAP // 2
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT * len(series) / 2 + 4}" '
            f'class="chart-label" text-anchor="end">{escape(_short(label))}</text>'
        )
        for j, (css, cells) in enumerate(series):
            cell = cells[i]
            by = y + j * BAR_HEIGHT
            length = 0
            if isinstance(cell.number, int | float):
                length = round(bars_width * cell.number / top, 1)
                if length:
                    parts.append(
                        f'<rect x="{LABEL_WIDTH}" y="{by}" width="{length}" '
                        f'height="{BAR_HEIGHT - 2}" class="{css}"/>'
                    )
            parts.append(
                f'<text x="{LABEL_WIDTH + length + 4}" y="{by + BAR_HEIGHT - 3}" '
                f'class="chart-value">{escape(cell.text)}</text>'
            )
    height = len(rows) * step + ROW_GAP
    return format_html(
        '<svg class="stats-chart" viewBox="0 0 {} {}" width="100%" aria-hidden="true" '
        'focusable="false" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        WIDTH, height, mark_safe("".join(parts)),  # noqa: S308 - escaped above  # nosec B308 B703
    )
