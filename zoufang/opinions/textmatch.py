"""Text helpers for opinions: similarity for merging, and category suggestion.

Category suggestion starts with the city office's keyword rules; once people have confirmed
enough categories, a multinomial naive Bayes over character 1–3-grams (which works well
for Chinese, needing no word segmentation) trained on those takes over.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from zoufang.core.text import to_halfwidth

MIN_TRAINING_SAMPLES = 50
MIN_PER_CATEGORY = 5
CLASSIFIER_CONFIDENCE = 0.5
SIMILARITY_THRESHOLD = 0.3


def text_key(text: str) -> str:
    """The text without white space, punctuation or symbols, half-width, lower-case."""
    return "".join(
        ch for ch in to_halfwidth(text).lower() if unicodedata.category(ch)[0] not in "PZSC"
    )


def bigrams(text: str) -> frozenset[str]:
    """The character bigrams of a text's key (its single character if shorter)."""
    key = text_key(text)
    if len(key) < 2:
        return frozenset({key}) if key else frozenset()
    return frozenset(key[i : i + 2] for i in range(len(key) - 1))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice similarity of two bigram sets (0 to 1)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


@functools.lru_cache(maxsize=4096)
def _word_key(word: str) -> str:
    return text_key(word)


def keyword_match(text: str, keywords: dict[int, list[str]]) -> int | None:
    """The category id whose keywords occur most often in the text, or None."""
    key = text_key(text)
    scores = {
        category: sum(key.count(word_key) for word in words if (word_key := _word_key(word)))
        for category, words in keywords.items()
    }
    best = max(scores.items(), key=lambda item: item[1], default=(None, 0))
    return best[0] if best[1] > 0 else None


def ngrams(text: str) -> list[str]:
    """Character 1-, 2- and 3-grams of a text's key."""
    key = text_key(text)
    return [key[i : i + n] for n in (1, 2, 3) for i in range(len(key) - n + 1)]


@dataclass
class NaiveBayes:
    """A multinomial naive Bayes classifier over character n-grams."""

    priors: dict[int, float]
    likelihoods: dict[int, dict[str, float]]
    unseen: dict[int, float]

    @classmethod
    def train(cls, samples: Iterable[tuple[str, int]]) -> NaiveBayes:
        """Train on (text, category id) pairs with Laplace smoothing."""
        counts: dict[int, Counter[str]] = defaultdict(Counter)
        documents: Counter[int] = Counter()
        for text, label in samples:
            counts[label].update(ngrams(text))
            documents[label] += 1
        vocabulary = set().union(*counts.values()) if counts else set()
        total = sum(documents.values())
        likelihoods, unseen = {}, {}
        for label, grams in counts.items():
            denominator = sum(grams.values()) + len(vocabulary) + 1
            likelihoods[label] = {g: math.log((c + 1) / denominator) for g, c in grams.items()}
            unseen[label] = math.log(1 / denominator)
        priors = {label: math.log(n / total) for label, n in documents.items()}
        return cls(priors=priors, likelihoods=likelihoods, unseen=unseen)

    def predict(self, text: str) -> tuple[int | None, float]:
        """The most likely category id and its probability."""
        grams = ngrams(text)
        if not grams or not self.priors:
            return None, 0.0
        scores = {
            label: prior + sum(self.likelihoods[label].get(g, self.unseen[label]) for g in grams)
            for label, prior in self.priors.items()
        }
        best = max(scores, key=lambda label: scores[label])
        top = scores[best]
        total = sum(math.exp(score - top) for score in scores.values())
        return best, 1 / total


def trainable(samples: Sequence[tuple[str, int]]) -> bool:
    """Enough confirmed samples, in at least two categories, to trust a classifier."""
    per_category = Counter(label for _, label in samples)
    big_enough = [label for label, n in per_category.items() if n >= MIN_PER_CATEGORY]
    return len(samples) >= MIN_TRAINING_SAMPLES and len(big_enough) >= 2
