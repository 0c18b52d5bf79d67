"""Seeded text mutators shared by the readers' fuzz tests (tests/formats/test_*_fuzz.py).

Each mutator takes the text and a ``random.Random`` and returns a corrupted copy; ``mutate``
picks one of them. Tokens are the matches of ``pattern`` (whitespace-separated words unless a
test passes its language's token pattern); a text without tokens comes back unchanged.
"""

from __future__ import annotations

import random
import re
import signal
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

WORD = re.compile(r"\S+")
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")
# Numbers a reader must refuse or survive: overflow, NaN, negative, fractions where integers
# belong, hex, a unit glued on, nothing at all.
BAD_NUMBERS = ("1e999", "-1e999", "nan", "-7", "9" * 25, "1.5", "0x10", "3.5um", "", "-", "1e-300")


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in the block after ``seconds``: a reader must fail, never hang."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"the reader did not finish in {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def truncate(text: str, rng: random.Random) -> str:
    """The text cut at a random point (possibly empty)."""
    return text[: rng.randrange(len(text) + 1)]


def _token(text: str, rng: random.Random, pattern: re.Pattern[str]) -> tuple[int, int] | None:
    spans = [match.span() for match in pattern.finditer(text)]
    return rng.choice(spans) if spans else None


def delete_token(text: str, rng: random.Random, pattern: re.Pattern[str] = WORD) -> str:
    """One random token removed."""
    span = _token(text, rng, pattern)
    return text if span is None else text[: span[0]] + text[span[1] :]


def duplicate_token(text: str, rng: random.Random, pattern: re.Pattern[str] = WORD) -> str:
    """One random token written twice."""
    span = _token(text, rng, pattern)
    if span is None:
        return text
    start, end = span
    return text[:end] + " " + text[start:end] + text[end:]


def copy_token(text: str, rng: random.Random, pattern: re.Pattern[str] = WORD) -> str:
    """One random token replaced by another token of the same text."""
    span, other = _token(text, rng, pattern), _token(text, rng, pattern)
    if span is None or other is None:
        return text
    return text[: span[0]] + text[other[0] : other[1]] + text[span[1] :]


def replace_token(
    text: str, rng: random.Random, words: Sequence[str], pattern: re.Pattern[str] = WORD
) -> str:
    """One random token replaced by one of ``words`` (keywords, punctuation)."""
    span = _token(text, rng, pattern)
    if span is None or not words:
        return text
    return text[: span[0]] + rng.choice(words) + text[span[1] :]


def inject_garbage(text: str, rng: random.Random, garbage: Sequence[str] = ()) -> str:
    """One to five pieces of ``garbage`` (default: random characters U+0000..U+02FF, so NUL,
    control and non-ASCII ones) inserted at a random point."""
    count = rng.randint(1, 5)
    if garbage:
        junk = "".join(rng.choice(garbage) for _ in range(count))
    else:
        junk = "".join(chr(rng.randrange(0x300)) for _ in range(count))
    position = rng.randrange(len(text) + 1)
    return text[:position] + junk + text[position:]


def delete_character(text: str, rng: random.Random) -> str:
    """One random character removed (breaks quotes, braces and numbers mid-token)."""
    if not text:
        return text
    position = rng.randrange(len(text))
    return text[:position] + text[position + 1 :]


def swap_number(text: str, rng: random.Random, numbers: Sequence[str] = BAD_NUMBERS) -> str:
    """One number of the text replaced by a malformed or out-of-range one."""
    spans = [match.span() for match in NUMBER.finditer(text)]
    if not spans or not numbers:
        return text
    start, end = rng.choice(spans)
    return text[:start] + rng.choice(numbers) + text[end:]


def replace_once(text: str, rng: random.Random, replacements: Sequence[tuple[str, str]]) -> str:
    """The first occurrence of one ``(old, new)`` pair replaced (wrong units, bad headers)."""
    if not replacements:
        return text
    old, new = rng.choice(replacements)
    return text.replace(old, new, 1)


def delete_or_duplicate_line(text: str, rng: random.Random) -> str:
    """One random line removed or written twice."""
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    index = rng.randrange(len(lines))
    if rng.random() < 0.5:
        del lines[index]
    else:
        lines.insert(index, lines[index])
    return "".join(lines)


def mutate(
    text: str,
    rng: random.Random,
    *,
    garbage: Sequence[str] = (),
    words: Sequence[str] = (),
    numbers: Sequence[str] = BAD_NUMBERS,
    replacements: Sequence[tuple[str, str]] = (),
    pattern: re.Pattern[str] = WORD,
) -> str:
    """One random corruption of ``text``, chosen evenly among the mutators that apply.

    ``garbage``: pieces to inject (default random characters); ``words``: tokens to put in
    place of others; ``numbers``: malformed numbers to swap in; ``replacements``: ``(old, new)``
    pairs such as wrong units; ``pattern``: what a token is.
    """
    choices = [
        lambda: truncate(text, rng),
        lambda: delete_token(text, rng, pattern),
        lambda: duplicate_token(text, rng, pattern),
        lambda: copy_token(text, rng, pattern),
        lambda: inject_garbage(text, rng),
        lambda: delete_character(text, rng),
        lambda: delete_or_duplicate_line(text, rng),
    ]
    if garbage:
        choices.append(lambda: inject_garbage(text, rng, garbage))
    if words:
        choices.append(lambda: replace_token(text, rng, words, pattern))
    if numbers:
        choices.append(lambda: swap_number(text, rng, numbers))
    if replacements:
        choices.append(lambda: replace_once(text, rng, replacements))
    return rng.choice(choices)()
