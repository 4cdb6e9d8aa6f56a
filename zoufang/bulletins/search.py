"""Chinese full-text search and text similarity for bulletins, without database extensions.

Chinese has no spaces between words, so a bulletin's text is indexed as character bigrams:
each run of CJK characters gives its overlapping pairs (走访企业 → 走访 访企 企业), a run of
one CJK character gives that character, and each run of letters or digits gives the word,
lower-cased and half-width. The tokens are stored once each, space-separated and with a
space at both ends (" 走访 访企 企业 2022 "), in `Bulletin.search_text` (title and body) and
`Bulletin.search_title` (title only).

A query is tokenized the same way, and every term must be present (AND):

- a CJK bigram matches the token exactly:           search_text LIKE '% 反诈 %'
- a letters/digits word matches a token's start:    search_text LIKE '% app%'
- a lone CJK character matches inside any token:    search_text LIKE '%警%'

Runs break at punctuation and spaces on both sides, so `反诈，宣传` finds `反诈宣传` and
`电信 诈骗` finds `电信诈骗`; LIKE's own wildcards are escaped by Django's `contains`. This
works on SQLite and PostgreSQL alike; on PostgreSQL a pg_trgm GIN index can serve the same
LIKE patterns (see the migration).

Ranking (computed in SQL over the rows that matched): 2 points per term found in the title,
3 when a typed CJK phrase (a run of two or more characters) occurs verbatim in the title and
1 when it does in the body; ties go to the newest.

Related bulletins: TF-IDF cosine similarity over the token sets (binary term frequency),
with document frequencies taken from the candidate set, so bigrams every bulletin shares
(走访, 民警, 群众) weigh little.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import filterfalse

from zoufang.core.text import to_halfwidth

MAX_QUERY_TERMS = 32
MAX_WORD_LENGTH = 30


def is_cjk(char: str) -> bool:
    """A CJK unified ideograph (the basic block, extensions A–F and compatibility forms)."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FA1F
    )


def runs(text: str) -> Iterator[tuple[str, bool]]:
    """The runs of CJK characters and of other letters/digits, as (run, is_cjk); anything
    else (punctuation, symbols, white space) separates runs."""
    current: list[str] = []
    current_cjk = False
    for char in to_halfwidth(text).lower():
        cjk = is_cjk(char)
        if cjk or char.isalnum():
            if current and cjk != current_cjk:
                yield "".join(current), current_cjk
                current = []
            current.append(char)
            current_cjk = cjk
        elif current:
            yield "".join(current), current_cjk
            current = []
    if current:
        yield "".join(current), current_cjk


def tokens(text: str) -> list[str]:
    """The distinct search tokens of a text, in order of first appearance."""
    seen: dict[str, None] = {}
    for run, cjk in runs(text):
        if not cjk:
            seen.setdefault(run[:MAX_WORD_LENGTH], None)
        elif len(run) == 1:
            seen.setdefault(run, None)
        else:
            for i in range(len(run) - 1):
                seen.setdefault(run[i : i + 2], None)
    return list(seen)


def token_text(*parts: str) -> str:
    """The stored form: distinct tokens separated by spaces, with a space at both ends."""
    found: dict[str, None] = {}
    for part in parts:
        for token in tokens(part):
            found.setdefault(token, None)
    return f" {' '.join(found)} " if found else ""


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: LIKE substrings that must all occur, and the typed CJK phrases."""

    terms: tuple[str, ...]
    phrases: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """Nothing searchable was typed (only punctuation or spaces)."""
        return not self.terms


def parse_query(text: str) -> SearchQuery:
    """The terms of a query string (at most MAX_QUERY_TERMS of them)."""
    terms: dict[str, None] = {}
    phrases: dict[str, None] = {}
    for run, cjk in runs(text[:200]):
        if not cjk:
            terms.setdefault(f" {run[:MAX_WORD_LENGTH]}", None)
        elif len(run) == 1:
            terms.setdefault(run, None)
        else:
            phrases.setdefault(run, None)
            for i in range(len(run) - 1):
                terms.setdefault(f" {run[i : i + 2]} ", None)
    return SearchQuery(
        terms=tuple(terms)[:MAX_QUERY_TERMS], phrases=tuple(phrases)[:MAX_QUERY_TERMS]
    )


def matches(query: SearchQuery, stored: str) -> bool:
    """Whether a stored token text matches a query (the rule the SQL applies)."""
    return not query.empty and all(term in stored for term in query.terms)


# --- similarity --------------------------------------------------------------------------


def similarity_tokens(stored: str) -> frozenset[str]:
    """The tokens that count for similarity: CJK tokens and words, not bare numbers."""
    return frozenset(filterfalse(str.isdigit, stored.split()))


def tfidf_cosine(
    target: frozenset[str], candidates: Sequence[tuple[int, frozenset[str]]]
) -> list[tuple[int, float]]:
    """Cosine similarity of the target with each candidate, best first.

    Binary term frequency; idf = ln((N + 1) / (df + 1)) + 1 over the candidates and the
    target, so a bigram every bulletin has still counts a little.
    """
    if not target or not candidates:
        return []
    df: Counter[str] = Counter(target)
    for _, toks in candidates:
        df.update(toks)
    total = len(candidates) + 1
    # Squared idf per token, computed once; sums over token sets then run in C (map).
    weight = {t: (math.log((total + 1) / (n + 1)) + 1) ** 2 for t, n in df.items()}
    target_norm = math.sqrt(sum(map(weight.__getitem__, target)))
    scored = []
    for pk, toks in candidates:
        shared = target & toks
        if shared:
            dot = sum(map(weight.__getitem__, shared))
            scored.append((pk, dot / (target_norm * math.sqrt(sum(map(weight.__getitem__, toks))))))
    scored.sort(key=lambda item: (-item[1], -item[0]))
    return scored
