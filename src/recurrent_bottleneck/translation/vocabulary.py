"""From sentence pairs to the integer arrays an encoder-decoder trains on.

The steps follow Sutskever, Vinyals & Le (2014): sentences are split into tokens; each
language gets a vocabulary of its most frequent words (the paper kept 160,000 source and
80,000 target words), every other word becoming ``<unk>``; the source is fed to the
encoder *backwards* while the target keeps its order; and training batches are made of
sentences of similar length, so that little computation is spent on padding.

Token numbers 0 to 3 are reserved in every vocabulary: ``<pad>`` (0, which the model masks
out), ``<unk>``, ``<bos>`` (the first decoder input) and ``<eos>`` (the last decoder
target, whose prediction ends a translation).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

PAD, UNK, BOS, EOS = 0, 1, 2, 3
RESERVED_TOKENS = ("<pad>", "<unk>", "<bos>", "<eos>")

# a word (letters, digits, underscores, with inner apostrophes as in "don't" or "l'homme")
# or any single character that is neither a word character nor white space
_TOKEN = re.compile(r"\w+(?:['\u2019]\w+)*|[^\w\s]")


def tokenize(sentence: str) -> list[str]:
    """Lower-cased tokens: words, with punctuation split off as tokens of its own.

    ``"Hello, world!"`` gives ``["hello", ",", "world", "!"]``. An apostrophe between two
    word characters stays inside the word (``"l'homme"`` is one token); every other
    punctuation character is a token by itself. White space only separates tokens.
    """
    return _TOKEN.findall(sentence.lower())


class Vocabulary:
    """A numbering of tokens: the four reserved ones first, then words by falling frequency.

    ``Vocabulary(token_lists, max_size)`` counts the tokens of ``token_lists`` (one list per
    sentence) and keeps the most frequent; ``max_size`` bounds the whole vocabulary, the
    four reserved tokens included (None: keep every token). Tokens are ranked by count,
    equal counts alphabetically, so the numbering does not depend on the order in which
    sentences come.
    """

    pad, unk, bos, eos = PAD, UNK, BOS, EOS

    def __init__(
        self, token_lists: Iterable[Sequence[str]] = (), max_size: int | None = None
    ) -> None:
        if max_size is not None and max_size <= len(RESERVED_TOKENS):
            raise ValueError(
                f"max_size must leave room for words beyond the {len(RESERVED_TOKENS)} "
                f"reserved tokens, got {max_size}"
            )
        counts = Counter(token for tokens in token_lists for token in tokens)
        for reserved in RESERVED_TOKENS:
            counts.pop(reserved, None)
        ranked = sorted(counts, key=lambda token: (-counts[token], token))
        if max_size is not None:
            ranked = ranked[: max_size - len(RESERVED_TOKENS)]
        self._number_tokens([*RESERVED_TOKENS, *ranked])

    @classmethod
    def from_tokens(cls, tokens: Sequence[str]) -> Vocabulary:
        """The vocabulary numbering ``tokens[i]`` as i; the first four must be the reserved
        tokens in their order."""
        if tuple(tokens[: len(RESERVED_TOKENS)]) != RESERVED_TOKENS:
            raise ValueError(f"a vocabulary must start with {', '.join(RESERVED_TOKENS)}")
        if len(set(tokens)) != len(tokens):
            raise ValueError("a vocabulary may not list a token twice")
        vocabulary = cls.__new__(cls)
        vocabulary._number_tokens(tokens)
        return vocabulary

    def _number_tokens(self, tokens: Sequence[str]) -> None:
        self.tokens: tuple[str, ...] = tuple(tokens)
        self.numbers: dict[str, int] = {token: number for number, token in enumerate(tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: object) -> bool:
        return token in self.numbers

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Token numbers; a token outside the vocabulary becomes ``<unk>``."""
        return [self.numbers.get(token, UNK) for token in tokens]

    def decode(self, numbers: Iterable[int]) -> list[str]:
        """Tokens up to the first ``<eos>`` (excluded), leaving out ``<pad>`` and ``<bos>``."""
        tokens = []
        for number in numbers:
            number = int(number)
            if number == EOS:
                break
            if number in (PAD, BOS):
                continue
            if not 0 <= number < len(self.tokens):
                raise ValueError(
                    f"token number {number} outside the vocabulary of {len(self.tokens)}"
                )
            tokens.append(self.tokens[number])
        return tokens

    def to_json(self) -> str:
        """The vocabulary as JSON text: the token list in number order."""
        return json.dumps({"tokens": list(self.tokens)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        """The vocabulary that :meth:`to_json` wrote."""
        return cls.from_tokens(json.loads(text)["tokens"])


def split_corpus(
    pairs: Sequence, seed: int, validation_fraction: float, test_fraction: float
) -> dict[str, list]:
    """The pairs shuffled by ``seed`` and cut into "train", "validation" and "test" lists.

    Validation and test take ``round(fraction * len(pairs))`` pairs each, at least one; the
    rest is for training. Every split must be non-empty.
    """
    for name, fraction in (
        ("validation_fraction", validation_fraction),
        ("test_fraction", test_fraction),
    ):
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {fraction}")
    if validation_fraction + test_fraction >= 1.0:
        raise ValueError(
            "validation_fraction + test_fraction must be below 1 to leave pairs for training, "
            f"got {validation_fraction} + {test_fraction}"
        )
    count = len(pairs)
    validation_count = max(1, round(validation_fraction * count))
    test_count = max(1, round(test_fraction * count))
    if validation_count + test_count >= count:
        raise ValueError(
            f"a corpus of {count} sentence pairs is too small to split into non-empty "
            f"train, validation ({validation_count}) and test ({test_count}) sets"
        )
    order = np.random.default_rng(seed).permutation(count)
    validation_end = validation_count + test_count
    return {
        "train": [pairs[index] for index in order[validation_end:]],
        "validation": [pairs[index] for index in order[test_count:validation_end]],
        "test": [pairs[index] for index in order[:test_count]],
    }


def encode_pairs(
    pairs: Sequence[tuple[str | Sequence[str], str | Sequence[str]]],
    source_vocabulary: Vocabulary,
    target_vocabulary: Vocabulary,
    reverse_source: bool,
    max_length: int | None,
) -> dict[str, np.ndarray]:
    """Padded int32 arrays for the encoder and the decoder.

    Each side of a pair is a sentence (tokenized with :func:`tokenize`) or a token list.
    With ``max_length`` set, pairs with more than ``max_length`` tokens on either side are
    left out. For the N pairs kept, S the longest source and T the longest target:

    * ``source`` (N, S): source token numbers, in reverse order when ``reverse_source``
      (the paper's trick; the target is never reversed), right-padded with ``<pad>`` = 0;
    * ``decoder_input`` (N, T + 1): ``<bos>`` followed by the target, right-padded;
    * ``decoder_target`` (N, T + 1): the target followed by ``<eos>``, right-padded, so
      that step t of the decoder reads token t - 1 and is trained to produce token t;
    * ``source_lengths`` and ``target_lengths`` (N,): tokens per sentence, without
      ``<bos>`` or ``<eos>`` (the decoder runs ``target_lengths + 1`` steps);
    * ``indices`` (N,): where each kept pair stands in ``pairs``.
    """
    if max_length is not None and max_length < 1:
        raise ValueError(f"max_length must be at least 1 or None, got {max_length}")
    sources, targets, indices = [], [], []
    for index, (source, target) in enumerate(pairs):
        source_tokens = tokenize(source) if isinstance(source, str) else list(source)
        target_tokens = tokenize(target) if isinstance(target, str) else list(target)
        if not source_tokens or not target_tokens:
            raise ValueError(f"sentence pair {index} has an empty side: {source!r}, {target!r}")
        if max_length is not None and max(len(source_tokens), len(target_tokens)) > max_length:
            continue
        source_numbers = source_vocabulary.encode(source_tokens)
        sources.append(source_numbers[::-1] if reverse_source else source_numbers)
        targets.append(target_vocabulary.encode(target_tokens))
        indices.append(index)
    if not indices:
        raise ValueError(
            f"none of the {len(pairs)} sentence pairs is at most {max_length} tokens long"
            if pairs
            else "no sentence pairs to encode"
        )
    source_lengths = np.array([len(numbers) for numbers in sources], dtype=np.int32)
    target_lengths = np.array([len(numbers) for numbers in targets], dtype=np.int32)
    source_array = np.full((len(sources), source_lengths.max()), PAD, dtype=np.int32)
    decoder_input = np.full((len(targets), target_lengths.max() + 1), PAD, dtype=np.int32)
    decoder_target = np.full_like(decoder_input, PAD)
    for row, (source_numbers, target_numbers) in enumerate(zip(sources, targets, strict=True)):
        source_array[row, : len(source_numbers)] = source_numbers
        decoder_input[row, : len(target_numbers) + 1] = [BOS, *target_numbers]
        decoder_target[row, : len(target_numbers) + 1] = [*target_numbers, EOS]
    return {
        "source": source_array,
        "decoder_input": decoder_input,
        "decoder_target": decoder_target,
        "source_lengths": source_lengths,
        "target_lengths": target_lengths,
        "indices": np.array(indices, dtype=np.int32),
    }


def length_buckets(
    lengths: Sequence[int] | np.ndarray, batch_size: int, seed: int
) -> list[np.ndarray]:
    """Batches of indices into ``lengths`` whose sentences have similar lengths.

    Indices are sorted by length (equal lengths in an order drawn from ``seed``), cut into
    consecutive batches of ``batch_size`` (the last may be smaller), and the batches are
    returned in an order shuffled with ``seed``: every batch is nearly free of padding,
    while training still visits short and long batches in random order.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    lengths = np.asarray(lengths)
    if lengths.ndim != 1:
        raise ValueError(f"lengths must be one-dimensional, got shape {lengths.shape}")
    random = np.random.default_rng(seed)
    shuffled = random.permutation(len(lengths))
    by_length = shuffled[np.argsort(lengths[shuffled], kind="stable")]
    batches = [
        by_length[start : start + batch_size] for start in range(0, len(by_length), batch_size)
    ]
    return [batches[position] for position in random.permutation(len(batches))]
