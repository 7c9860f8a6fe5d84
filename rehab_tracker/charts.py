"""Small server-side SVG charts for the admin dashboard (no JavaScript, no CDN: works offline)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = "#417690"  # the Django admin's header blue
ALT = "#e1a23b"


def bar_chart(items: list[tuple[str, float]], *, width: int = 520, bar_height: int = 22, unit: str = "") -> SafeString:
    """Horizontal bars, one per (label, value), with the value printed at the end of each bar."""
    if not items:
        return mark_safe('<p class="help">No data yet.</p>')
    label_width, gap = 170, 6
    top = max(value for _, value in items) or 1
    height = len(items) * (bar_height + gap)
    rows = []
    for n, (label, value) in enumerate(items):
        y = n * (bar_height + gap)
        length = (width - label_width - 60) * value / top
        rows.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{BAR}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar_height * 0.7}">{escape(_fmt(value))}{unit}</text>'
        )
    return _svg(width, height, rows)


def column_chart(
    items: list[tuple[str, float, float]], *, legend: tuple[str, str], width: int = 520, height: int = 200
) -> SafeString:
    """Paired columns per label (e.g. flags opened and resolved per week)."""
    if not items:
        return mark_safe('<p class="help">No data yet.</p>')
    top = max(max(a, b) for _, a, b in items) or 1
    plot, base = height - 50, height - 30
    step = (width - 20) / len(items)
    rows = [
        f'<rect x="10" y="0" width="10" height="10" fill="{BAR}"/><text x="24" y="9">{escape(legend[0])}</text>'
        f'<rect x="140" y="0" width="10" height="10" fill="{ALT}"/><text x="154" y="9">{escape(legend[1])}</text>'
    ]
    for n, (label, first, second) in enumerate(items):
        x = 10 + n * step
        for offset, value, colour in ((0, first, BAR), (step * 0.4, second, ALT)):
            h = plot * value / top
            rows.append(
                f'<rect x="{x + offset:.1f}" y="{base - h:.1f}" width="{step * 0.38:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(_fmt(value))}</title></rect>'
            )
        rows.append(f'<text x="{x:.1f}" y="{height - 12}" font-size="10">{escape(label)}</text>')
    return _svg(width, height, rows)


def _fmt(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _svg(width: int, height: int, parts: list[str]) -> SafeString:
    body = "".join(parts)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'font-family="sans-serif" font-size="12">{body}</svg>'
    )
