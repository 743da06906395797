"""Titles cut to fit a column are cut between words, never inside one, and say they were cut."""
from __future__ import annotations

import pytest

from engine.text import shorten

SENTENCE = "Audit a sample of referrals for evidence that concerns were shared within one working day"


@pytest.mark.parametrize("limit", range(12, len(SENTENCE) + 1))
def test_a_shortened_title_ends_on_a_whole_word_and_fits(limit):
    short = shorten(SENTENCE, limit)
    assert len(short) <= limit
    if short != SENTENCE:
        assert short.endswith("…")
        words = short.removesuffix("…").split()
        assert words == SENTENCE.split()[:len(words)]  # whole words only, in order


def test_a_title_that_fits_is_untouched_and_one_long_word_is_cut_at_the_limit():
    assert shorten("Short title", 20) == "Short title"
    assert shorten("Supercalifragilistic", 10) == "Supercali…"
    assert shorten("Plan: actions, and more", 15) == "Plan: actions…"  # no dangling punctuation
