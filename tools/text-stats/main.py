"""Text Statistics: reads a text sentence by sentence and narrates what it finds as it goes
(stream_text), with a progress bar and a log, then sums up: counts, reading time, a readability
score, the most frequent words (chart) and the longest sentences (table). Standard library only."""

from __future__ import annotations

import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

try:
    from pixie_desktop import sdk
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pixie_desktop import sdk

tool = sdk.Tool(__file__)
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ']+(?:-[A-Za-zÀ-ÖØ-öø-ÿ']+)*")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")  # "tool.json" is not the end of a sentence
STOP = set("""a an and are as at be but by for from had has have he her his i if in into is it its
me my no not of on or our she so than that the their them then there these they this to too
us was we were what when which who will with you your""".split())


def syllables(word: str) -> int:
    """A rough English syllable count (vowel groups, silent final e): good enough for Flesch."""
    w = word.lower().strip("'")
    groups = re.findall(r"[aeiouy]+", w)
    n = len(groups) - (1 if w.endswith("e") and len(groups) > 1 and not w.endswith("le") else 0)
    return max(1, n)


def flesch(words: int, sentences: int, sylls: int) -> float:
    if not words or not sentences:
        return 0.0
    return round(206.835 - 1.015 * words / sentences - 84.6 * sylls / words, 1)


def ease(score: float) -> str:
    for limit, text in ((90, "very easy"), (70, "easy"), (60, "plain English"), (50, "fairly difficult"),
                        (30, "difficult")):
        if score >= limit:
            return text
    return "very difficult"


@tool.handler
def run(inputs: dict, ctx: sdk.RunContext) -> dict:
    text = str(inputs.get("text") or "")
    if not text.strip():
        raise sdk.ToolError("paste some text first")
    pace = max(0.0, min(1.0, float(inputs.get("pace") or 0.0)))
    if os.environ.get("PIXIE_VALIDATE") == "true":
        pace = 0.0  # the validator checks behaviour, not patience
    top_n = max(3, min(30, int(inputs.get("top_words") or 10)))
    sentences = [s.strip() for s in SENTENCE_END.split(text.strip()) if WORD.search(s)]
    ctx.log(f"{len(sentences)} sentence{'s' if len(sentences) != 1 else ''} to read")
    counts: Counter[str] = Counter()
    all_words, sylls, lengths = 0, 0, []
    for i, sentence in enumerate(sentences, 1):
        if ctx.cancelled:
            ctx.log(f"stopped after {i - 1} sentences", level="warn")
            break
        words = WORD.findall(sentence)
        all_words += len(words)
        sylls += sum(syllables(w) for w in words)
        lengths.append((len(words), sentence))
        new = [w.lower() for w in words if w.lower() not in STOP and w.lower() not in counts and len(w) > 2]
        counts.update(w.lower() for w in words if w.lower() not in STOP)
        line = f"Sentence {i}: {len(words)} word{'s' if len(words) != 1 else ''}"
        if new:
            line += f", new: {', '.join(new[:4])}{'…' if len(new) > 4 else ''}"
        if len(words) >= 25:
            line += " — a long one"
            ctx.log(f"sentence {i} has {len(words)} words", level="warn")
        ctx.stream("narration", line + ("\n" if line.endswith(("…", ".")) else ".\n"))
        ctx.progress(i / len(sentences), f"sentence {i} of {len(sentences)}")
        if pace:
            time.sleep(pace)
    score = flesch(all_words, len(lengths), sylls)
    ctx.stream("narration", f"Done: {all_words} words, readability {score} ({ease(score)}).\n")
    ctx.log("done")
    top = counts.most_common(top_n)
    longest = sorted(lengths, key=lambda t: -t[0])[:5]
    chars = len(text)
    return {
        "stats": {"pairs": {
            "Words": all_words, "Sentences": len(lengths), "Characters": chars,
            "Distinct words": len({w.lower() for _, s in lengths for w in WORD.findall(s)}),
            "Average sentence": f"{all_words / len(lengths):.1f} words" if lengths else "—",
            "Reading time": "under a minute" if all_words < 230 else f"{round(all_words / 230)} min at 230 words/min",
            "Flesch reading ease": f"{score} ({ease(score)})"}},
        "top_words": {"x": [w for w, _ in top], "series": [{"name": "Occurrences", "y": [c for _, c in top]}]},
        "longest": {"rows": [{"words": n, "sentence": s if len(s) <= 160 else s[:157] + "…"} for n, s in longest]},
    }


if __name__ == "__main__":
    tool.serve()
