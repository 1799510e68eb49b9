"""A small fuzzy matcher for the command palette: every query character must appear in order;
matches at word starts, consecutive runs and the very beginning score higher, gaps cost a
little. Returns None for no match so callers can filter and sort in one pass."""

from __future__ import annotations

from typing import Callable, Iterable, Sequence, TypeVar

T = TypeVar("T")
_SEPARATORS = set(" -_/.:·—")


def _is_word_start(text: str, i: int) -> bool:
    if i == 0:
        return True
    prev, ch = text[i - 1], text[i]
    return prev in _SEPARATORS or (prev.islower() and ch.isupper())


def fuzzy_score(query: str, text: str) -> float | None:
    """Higher is better; None when `query` is not a subsequence of `text` (case-insensitive).

    Dynamic programming over (query char, text position) so the best alignment wins — e.g.
    "csum" prefers the word starts of "CSV Summary" — in O(len(query) × len(text))."""
    q = "".join(query.lower().split())
    if not q:
        return 0.0
    low = text.lower()
    n = len(low)
    if len(q) > n:
        return None
    neg = float("-inf")
    starts = [_is_word_start(text, j) for j in range(n)]
    prev_row: list[float] = []
    for i, ch in enumerate(q):
        row = [neg] * n
        best_before = neg  # max of prev_row[k] for k < j - 1 (a gap before j)
        for j in range(i, n):
            if i > 0 and j >= 2:
                best_before = max(best_before, prev_row[j - 2])
            if low[j] != ch:
                continue
            gain = 1.0 + (2.0 if starts[j] else 0.0)
            if i == 0:
                row[j] = gain + (1.0 if j == 0 else 0.0)
                continue
            consecutive = prev_row[j - 1] + gain + 1.5 if j >= 1 and prev_row[j - 1] > neg else neg
            gapped = best_before + gain - 0.5 if best_before > neg else neg
            row[j] = max(consecutive, gapped)
        prev_row = row
    best = max(prev_row) if prev_row else neg
    if best == neg:
        return None
    if low.startswith(q):
        best += 4.0
    elif q in low:
        best += 2.0
    return best - 0.02 * n


def rank(query: str, items: Iterable[T], keys: Callable[[T], Sequence[str]], limit: int | None = None) -> list[T]:
    """Items whose best key matches, best first. The first key (the title) counts fully; later
    keys (subtitle, tags) count at a discount so a title match beats a description match."""
    scored: list[tuple[float, int, T]] = []
    for order, item in enumerate(items):
        best: float | None = None
        for weight_index, key in enumerate(keys(item)):
            if not key:
                continue
            s = fuzzy_score(query, key)
            if s is None:
                continue
            s = s if weight_index == 0 else s * 0.6
            if best is None or s > best:
                best = s
        if best is not None:
            scored.append((best, order, item))
    scored.sort(key=lambda t: (-t[0], t[1]))
    out = [t[2] for t in scored]
    return out[:limit] if limit else out
