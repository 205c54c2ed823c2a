"""A made-up pair of languages: the embedded parallel corpus for the 2014 translation milestone.

Sutskever, Vinyals & Le (2014) trained on WMT'14 English to French, which cannot be fetched
here, so the workflow ships a generator of its own. It invents two small languages with the
property that made the paper's "reverse the source" trick work: their word orders are
*mostly monotone*. The first words of a source sentence translate into the first words of
the target sentence, the second into the second, and so on, up to short local swaps.

The lexicon. From the seed, every grammatical category (determiners, adjectives, nouns,
verbs, adverbs, prepositions and clause-joining conjunctions) receives a list of source
word types, and every source word type receives exactly one target word type, so a
dictionary maps words one to one. Words are pronounceable pseudo-words strung together
from consonant-vowel syllables; the two languages draw on different sound inventories
(the target has digraphs such as ``ch`` and ``ou``), and no spelling is shared between
them. Inside a category words are drawn with Zipf-like frequencies (the k-th word about
1/k as often as the first), so the corpus has frequent words and a long tail of rare
ones, as a real vocabulary does.

The grammar. A sentence is one or more clauses joined by conjunctions. A clause is

    subject-NP [adverb] verb [object-NP] [PP] [PP]        NP = determiner adjective* noun
                                                          PP = preposition NP

so a sentence runs from three words ("the dog sleeps") to forty and more when several
long clauses are joined. The target language says the same thing in the same order
with two local changes: adjectives follow their noun (as in French, "the black cat" ->
"le chat noir"), and the adverb follows the verb instead of preceding it. No word moves
by more than two positions, and every sentence pair has equally many words.

Why reversing matters. An encoder-decoder reads the whole source and then writes the
target from the encoder's final state. With the source in natural order, the first
source word was read S steps before the decoder has to produce its translation, the
first target word; every pair of corresponding words is about S steps apart. Feeding the
source backwards puts the first source word last, right next to the start of decoding:
the average distance between corresponding words stays the same, but the *shortest*
distances become tiny, which gives gradient descent short-term dependencies to latch on
to first. The trick only helps when alignment is monotone, which is exactly what this
generator guarantees and what can be measured on its output.
"""

from __future__ import annotations

import bisect

import numpy as np

CATEGORIES = (
    "determiner",
    "preposition",
    "conjunction",
    "noun",
    "verb",
    "adjective",
    "adverb",
)
# closed classes have a fixed size, whatever the lexicon size
CLOSED_CLASS_SIZES = {"determiner": 6, "preposition": 12, "conjunction": 4}
# open classes share what is left of the lexicon in these proportions
OPEN_CLASS_SHARES = {"noun": 0.45, "verb": 0.25, "adjective": 0.18, "adverb": 0.12}
SMALLEST_LEXICON = 60
LARGEST_LEXICON = 20_000

SOURCE_ONSETS = ("b", "d", "g", "k", "l", "m", "n", "p", "r", "s", "t", "w")
SOURCE_VOWELS = ("a", "e", "i", "o", "u")
TARGET_ONSETS = ("ch", "f", "j", "l", "m", "n", "r", "s", "sh", "t", "v", "z")
TARGET_VOWELS = ("a", "ai", "e", "eu", "i", "o", "ou", "u")

# how many adjectives a noun phrase carries (0, 1, 2) and how many prepositional phrases a
# clause carries (0, 1, 2)
ADJECTIVE_COUNT_PROBABILITIES = (0.55, 0.30, 0.15)
PREPOSITION_COUNT_PROBABILITIES = (0.45, 0.35, 0.20)
ADVERB_PROBABILITY = 0.35
OBJECT_PROBABILITY = 0.75

Lexicon = dict[str, dict[str, str]]


def build_lexicon(seed: int, lexicon_size: int) -> Lexicon:
    """The dictionary that ``generate_corpus`` uses for the same seed and lexicon size.

    Returns category -> {source word: target word}; the lexicon is drawn first from
    ``numpy.random.default_rng(seed)``, before any sentence, so it depends only on these two
    arguments.
    """
    _check_lexicon_size(lexicon_size)
    return _draw_lexicon(np.random.default_rng(seed), lexicon_size)


def generate_corpus(
    seed: int, sentences: int, lexicon_size: int, max_clauses: int
) -> list[tuple[str, str]]:
    """``sentences`` (source, target) pairs of space-separated lower-case words.

    The lexicon has ``lexicon_size`` source word types (and as many target types); every
    sentence has between 1 and ``max_clauses`` clauses, uniformly. The same seed always
    gives the same corpus.
    """
    _check_lexicon_size(lexicon_size)
    if sentences < 1:
        raise ValueError(f"sentences must be at least 1, got {sentences}")
    if max_clauses < 1:
        raise ValueError(f"max_clauses must be at least 1, got {max_clauses}")
    random = np.random.default_rng(seed)
    lexicon = _draw_lexicon(random, lexicon_size)
    samplers = {category: _ZipfSampler(entries) for category, entries in lexicon.items()}
    pairs = []
    for _ in range(sentences):
        source_words: list[str] = []
        target_words: list[str] = []
        clauses = int(random.integers(1, max_clauses + 1))
        for clause in range(clauses):
            if clause > 0:
                conjunction = samplers["conjunction"].draw(random)
                source_words.append(conjunction[0])
                target_words.append(conjunction[1])
            clause_source, clause_target = _clause(random, samplers)
            source_words += clause_source
            target_words += clause_target
        pairs.append((" ".join(source_words), " ".join(target_words)))
    return pairs


def describe() -> str:
    """A paragraph on the generator, for the milestone's report."""
    return (
        "The parallel corpus is synthetic and generated inside the workflow. From a seed, "
        "two invented languages receive a one-to-one dictionary of pronounceable "
        "pseudo-words (determiners, adjectives, nouns, verbs, adverbs, prepositions and "
        "conjunctions, with Zipf-like word frequencies and different sound inventories "
        "for the two sides). A sentence is one or more clauses joined by conjunctions; a "
        "clause is a subject noun phrase, an optional adverb, a verb, an optional object "
        "and up to two prepositional phrases, so sentences run from 3 to over 40 words. "
        "The target keeps the source's word order except for two local swaps: adjectives "
        "follow their noun, and the adverb follows the verb. Alignment is therefore "
        "monotone up to moves of at most two positions: the first source words translate "
        "into the first target words, the situation in which Sutskever, Vinyals and Le "
        "found that reading the source backwards shortens the path from each early source "
        "word to its translation and makes the network much easier to train."
    )


class _ZipfSampler:
    """Draws (source, target) entries of one category, the k-th about 1/k as often."""

    def __init__(self, entries: dict[str, str]) -> None:
        self.entries = list(entries.items())
        weights = 1.0 / np.arange(1, len(self.entries) + 1)
        self.cumulative = list(np.cumsum(weights) / weights.sum())

    def draw(self, random: np.random.Generator) -> tuple[str, str]:
        position = bisect.bisect_right(self.cumulative, random.random())
        return self.entries[min(position, len(self.entries) - 1)]


def _choose_count(random: np.random.Generator, probabilities: tuple[float, ...]) -> int:
    """A count 0, 1, 2, ... drawn with the given probabilities."""
    threshold, accumulated = random.random(), 0.0
    for count, probability in enumerate(probabilities):
        accumulated += probability
        if threshold < accumulated:
            return count
    return len(probabilities) - 1


def _noun_phrase(
    random: np.random.Generator, samplers: dict[str, _ZipfSampler]
) -> tuple[list[str], list[str]]:
    """Source: determiner adjectives noun. Target: determiner noun adjectives."""
    determiner = samplers["determiner"].draw(random)
    adjectives = [
        samplers["adjective"].draw(random)
        for _ in range(_choose_count(random, ADJECTIVE_COUNT_PROBABILITIES))
    ]
    noun = samplers["noun"].draw(random)
    source = [determiner[0], *(adjective[0] for adjective in adjectives), noun[0]]
    target = [determiner[1], noun[1], *(adjective[1] for adjective in adjectives)]
    return source, target


def _clause(
    random: np.random.Generator, samplers: dict[str, _ZipfSampler]
) -> tuple[list[str], list[str]]:
    """One clause in both languages; only the noun phrases and the adverb differ in order."""
    source, target = _noun_phrase(random, samplers)
    verb = samplers["verb"].draw(random)
    if random.random() < ADVERB_PROBABILITY:
        adverb = samplers["adverb"].draw(random)
        source += [adverb[0], verb[0]]
        target += [verb[1], adverb[1]]
    else:
        source.append(verb[0])
        target.append(verb[1])
    if random.random() < OBJECT_PROBABILITY:
        object_source, object_target = _noun_phrase(random, samplers)
        source += object_source
        target += object_target
    for _ in range(_choose_count(random, PREPOSITION_COUNT_PROBABILITIES)):
        preposition = samplers["preposition"].draw(random)
        phrase_source, phrase_target = _noun_phrase(random, samplers)
        source += [preposition[0], *phrase_source]
        target += [preposition[1], *phrase_target]
    return source, target


def _check_lexicon_size(lexicon_size: int) -> None:
    if not SMALLEST_LEXICON <= lexicon_size <= LARGEST_LEXICON:
        raise ValueError(
            f"lexicon_size must be between {SMALLEST_LEXICON} and {LARGEST_LEXICON}, "
            f"got {lexicon_size}"
        )


def _category_sizes(lexicon_size: int) -> dict[str, int]:
    """Word types per category, adding up to ``lexicon_size``."""
    sizes = dict(CLOSED_CLASS_SIZES)
    remaining = lexicon_size - sum(sizes.values())
    for category, share in OPEN_CLASS_SHARES.items():
        sizes[category] = int(remaining * share)
    # rounding leftovers go to the nouns, the largest class
    sizes["noun"] += lexicon_size - sum(sizes.values())
    return {category: sizes[category] for category in CATEGORIES}


def _pseudo_word(
    random: np.random.Generator, onsets: tuple[str, ...], vowels: tuple[str, ...], syllables: int
) -> str:
    return "".join(
        onsets[random.integers(len(onsets))] + vowels[random.integers(len(vowels))]
        for _ in range(syllables)
    )


def _draw_lexicon(random: np.random.Generator, lexicon_size: int) -> Lexicon:
    """Category -> {source word: target word}, every spelling used once across both languages.

    Function words (closed classes) are short, one or two syllables; content words have two
    or three.
    """
    used: set[str] = set()

    def fresh_word(onsets: tuple[str, ...], vowels: tuple[str, ...], short: bool) -> str:
        while True:
            syllables = int(random.integers(1, 3)) if short else int(random.integers(2, 4))
            word = _pseudo_word(random, onsets, vowels, syllables)
            if word not in used:
                used.add(word)
                return word

    lexicon: Lexicon = {}
    for category, size in _category_sizes(lexicon_size).items():
        short = category in CLOSED_CLASS_SIZES
        lexicon[category] = {}
        for _ in range(size):
            source_word = fresh_word(SOURCE_ONSETS, SOURCE_VOWELS, short)
            lexicon[category][source_word] = fresh_word(TARGET_ONSETS, TARGET_VOWELS, short)
    return lexicon
