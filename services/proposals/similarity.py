"""Similar proposals: character bigrams, weighted by count, compared by cosine.

Chinese has no spaces, and proposal titles on the same matter share most of their two-character words
("饮用", "用水", "水安"...), so character bigrams of the title and text capture topical overlap without a
segmenter. Title bigrams count double (a title names the matter); phrases every proposal uses ("关于",
"的建议") are dropped so they do not make unrelated proposals look alike. Vectors are normalised to unit
length, so the dot product of two vectors is their cosine, in [0, 1]. The read model keeps each proposal's
vector as rows (an inverted index) and PostgreSQL sums the products."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter

TITLE_WEIGHT = 2
# Boilerplate of proposal titles and texts, removed before counting.
BOILERPLATE = ("关于", "的建议", "的提案", "建议", "提案", "进一步", "加强", "推进")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    for phrase in BOILERPLATE:
        text = text.replace(phrase, " ")
    return _NOT_WORD.sub(" ", text)


def bigrams(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for chunk in normalize(text).split():
        if len(chunk) == 1:
            counts[chunk] += 1
        counts.update(chunk[i:i + 2] for i in range(len(chunk) - 1))
    return counts


def vector(title: str, body: str) -> dict[str, float]:
    """The unit-length bigram vector of a proposal."""
    counts = bigrams(body)
    for gram, n in bigrams(title).items():
        counts[gram] += TITLE_WEIGHT * n
    norm = math.sqrt(sum(n * n for n in counts.values()))
    return {g: n / norm for g, n in counts.items()} if norm else {}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(g, 0.0) for g, w in a.items())
