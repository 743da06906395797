"""A horizontal bar chart: one bar per share, its length the percentage, with the percentage and its numbers as
text ("50% (1 of 2)"), in GOV.UK's colours. Returned as markup to put straight into a page."""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, LABEL_WIDTH, BAR_WIDTH, ROW_HEIGHT, BAR_HEIGHT = 960, 430, 340, 34, 22
LONGEST_LABEL = 52  # characters; a longer label is cut between words (the table beside has it whole)
BLUE, TRACK, TEXT = "#1d70b8", "#f3f2f1", "#0b0c0c"  # GOV.UK blue, light grey, text
FONT = '"GDS Transport", arial, sans-serif'


@dataclass(frozen=True)
class Bar:
    label: str
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None

    @property
    def words(self) -> str:
        """``50% (1 of 2)``; ``None counted`` when there is nothing to count."""
        if self.percent is None:
            return "None counted"
        return f"{percent_words(self.percent)} ({self.numerator} of {self.denominator})"


def percent_words(value: float) -> str:
    return f"{value:g}%"


def bar_chart(chart_id: str, title: str, description: str, bars: list[Bar]) -> Markup:
    """The chart as an ``<svg role="img">`` whose ``<title>`` and ``<desc>`` name it and say every bar's numbers;
    ``chart_id`` is unique in its page."""
    ident = chart_id
    height = max(1, len(bars)) * ROW_HEIGHT + 8
    spoken = "; ".join(f"{bar.label}: {bar.words}" for bar in bars) or "Nothing to show"
    parts = [f'<svg class="lif-chart" id="{escape(ident)}" role="img" aria-labelledby="{escape(ident)}-title '
             f'{escape(ident)}-desc" viewBox="0 0 {WIDTH} {height}" width="100%" '
             f'preserveAspectRatio="xMinYMin meet" font-family=\'{FONT}\' xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{escape(ident)}-title">{escape(title)}</title>',
             f'<desc id="{escape(ident)}-desc">{escape(description)} {escape(spoken)}.</desc>']
    for row, bar in enumerate(bars):
        parts.append(_bar(row, bar))
    parts.append("</svg>")
    return Markup("".join(parts))


def _bar(row: int, bar: Bar) -> str:
    top = row * ROW_HEIGHT + 4
    middle = top + BAR_HEIGHT / 2 + 5
    length = 0 if bar.percent is None else round(BAR_WIDTH * bar.percent / 100, 1)
    label = bar.label if len(bar.label) <= LONGEST_LABEL else \
        bar.label[:LONGEST_LABEL - 1].rsplit(" ", 1)[0] + "…"
    return (f'<g class="lif-chart__bar" data-numerator="{bar.numerator}" data-denominator="{bar.denominator}">'
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" font-size="15" fill="{TEXT}">'
            f"{escape(label)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{top}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" fill="{TRACK}"/>'
            f'<rect x="{LABEL_WIDTH}" y="{top}" width="{length}" height="{BAR_HEIGHT}" fill="{BLUE}"/>'
            f'<text class="lif-chart__value" x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{middle}" font-size="15" '
            f'fill="{TEXT}">{escape(bar.words)}</text></g>')
