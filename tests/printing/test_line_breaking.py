"""Chinese line breaking (禁则): properties of the breaker, whatever the text."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from printing.notices import NO_LINE_END, NO_LINE_START, break_lines

OPENING = "“‘（《【〔"
CLOSING = "，。、；：？！”’）》】〕"
IDEOGRAPHS = "村民委员会公示低保对象经户申请核查代表会议"

# A word: an ideograph, perhaps with an opening mark before it and a closing one after it; or a number.
words = st.one_of(
    st.builds(
        lambda before, ideograph, after: before + ideograph + after,
        st.sampled_from(["", *OPENING]),
        st.sampled_from(IDEOGRAPHS),
        st.sampled_from(["", *CLOSING]),
    ),
    # A number, then an ideograph (two numbers side by side would read as one longer number).
    st.sampled_from(["2026年", "1,234.50元", "0475-1234567转", "139****1234号"]),
)


def widths_of(text: str) -> list[float]:
    """Ideographs and full-width marks one unit wide, Latin digits and signs half."""
    return [0.5 if ord(c) < 0x2000 else 1.0 for c in text]


@given(st.lists(words, min_size=1, max_size=60), st.integers(6, 30))
def test_lines_keep_the_rules_and_lose_nothing(pieces: list[str], width: int) -> None:
    text = "".join(pieces)
    widths = widths_of(text)
    lines = break_lines(list(text), widths, 0.0, width, width)
    assert "".join(text[a:b] for a, b in lines) == text
    assert lines[0][0] == 0 and lines[-1][1] == len(text)
    for (start, end), following in itertools.pairwise(lines):
        assert end == following[0]
        assert text[following[0]] not in NO_LINE_START, (text[start:end], text[following[0] :])
        assert text[end - 1] not in NO_LINE_END, text[start:end]
        assert not (text[end - 1].isdigit() and text[end].isdigit()), "a number was split"
    for start, end in lines:
        assert sum(widths[start:end]) <= width + 1e-9


@given(st.integers(1, 200), st.integers(3, 40))
def test_full_lines_hold_exactly_their_width(count: int, width: int) -> None:
    text = ("村民" * 200)[:count]
    lines = break_lines(list(text), [1.0] * count, 0.0, width - 2, width)  # first line indented 2
    lengths = [b - a for a, b in lines]
    expected = [min(count, width - 2)]
    while sum(expected) < count:
        expected.append(min(count - sum(expected), width))
    assert lengths == expected


def test_an_unbreakable_run_longer_than_the_line_is_cut_rather_than_lost() -> None:
    text = "1" * 50
    lines = break_lines(list(text), [1.0] * 50, 0.0, 20, 20)
    assert [b - a for a, b in lines] == [20, 20, 10]


def test_spacing_counts_towards_the_width() -> None:
    text = "村" * 28
    pitch = 156 / 28
    # 16-unit glyphs with the negative spacing of the grid: exactly 28 fit in 156 units.
    lines = break_lines(list(text), [16.0] * 28, pitch - 16.0, 156, 156)
    assert lines == [(0, 28)]
    assert [b - a for a, b in break_lines(list(text), [16.0] * 28, 0.0, 156, 156)] == [9, 9, 9, 1]
