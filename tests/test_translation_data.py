"""The translation milestone's data layer: synthetic corpus, file loaders, vocabulary, batches."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from recurrent_bottleneck.translation import corpus, synthetic, vocabulary
from recurrent_bottleneck.translation.corpus import CorpusError
from recurrent_bottleneck.translation.vocabulary import Vocabulary

SEED, SENTENCES, LEXICON_SIZE, MAX_CLAUSES = 7, 2500, 400, 5


@pytest.fixture(scope="module")
def synthetic_pairs() -> list[tuple[str, str]]:
    return synthetic.generate_corpus(SEED, SENTENCES, LEXICON_SIZE, MAX_CLAUSES)


@pytest.fixture(scope="module")
def translation() -> dict[str, str]:
    lexicon = synthetic.build_lexicon(SEED, LEXICON_SIZE)
    return {source: target for entries in lexicon.values() for source, target in entries.items()}


# --- the synthetic corpus ---


def test_synthetic_corpus_is_fixed_by_its_seed(synthetic_pairs):
    assert len(synthetic_pairs) == SENTENCES
    assert synthetic.generate_corpus(SEED, 200, LEXICON_SIZE, MAX_CLAUSES) == synthetic_pairs[:200]
    assert (
        synthetic.generate_corpus(SEED + 1, 200, LEXICON_SIZE, MAX_CLAUSES)
        != (synthetic_pairs[:200])
    )


def test_synthetic_sentences_are_lower_case_words_of_many_lengths(synthetic_pairs):
    lengths = []
    for source, target in synthetic_pairs:
        for sentence in (source, target):
            assert sentence == sentence.lower() and sentence.split(" ") == sentence.split()
            assert all(word.isalpha() for word in sentence.split())
        lengths.append(len(source.split()))
    assert min(lengths) <= 5 and max(lengths) >= 40
    # not a few outliers: both short and long sentences are common
    assert np.mean(np.array(lengths) <= 8) > 0.05 and np.mean(np.array(lengths) >= 40) > 0.05


def test_lexicon_is_one_to_one_and_the_languages_share_no_word(translation):
    assert len(translation) == LEXICON_SIZE
    assert len(set(translation.values())) == LEXICON_SIZE
    assert not set(translation) & set(translation.values())
    lexicon = synthetic.build_lexicon(SEED, LEXICON_SIZE)
    assert set(lexicon) == set(synthetic.CATEGORIES)
    assert synthetic.build_lexicon(SEED + 1, LEXICON_SIZE) != lexicon


def test_every_word_comes_from_the_lexicon(synthetic_pairs, translation):
    target_words = set(translation.values())
    for source, target in synthetic_pairs:
        assert set(source.split()) <= set(translation)
        assert set(target.split()) <= target_words


def test_alignment_is_monotone_up_to_local_swaps(synthetic_pairs, translation):
    first_word_matches = 0
    for source, target in synthetic_pairs:
        translated = [translation[word] for word in source.split()]
        target_words = target.split()
        # a one-to-one dictionary: the target is a permutation of the word-by-word translation
        assert sorted(translated) == sorted(target_words)
        # ... that moves no word by more than two positions
        for position, word in enumerate(target_words):
            assert word in translated[max(0, position - 2) : position + 3]
        first_word_matches += translated[0] == target_words[0]
    assert first_word_matches / len(synthetic_pairs) > 0.9


def test_synthetic_arguments_are_checked():
    with pytest.raises(ValueError, match="lexicon_size"):
        synthetic.generate_corpus(0, 10, 10, 2)
    with pytest.raises(ValueError, match="max_clauses"):
        synthetic.generate_corpus(0, 10, 200, 0)
    assert "reverse" in synthetic.describe().lower() or "backwards" in synthetic.describe()


# --- loading files ---


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_aligned_files_load_line_by_line(tmp_path):
    source = _write(tmp_path / "corpus.en", "The cat sleeps.\nA dog barks!\r\n  Hello  \n")
    target = _write(tmp_path / "corpus.fr", "\ufeffLe chat dort.\nUn chien aboie !\nBonjour")
    assert corpus.read_aligned_files(source, target) == [
        ("The cat sleeps.", "Le chat dort."),
        ("A dog barks!", "Un chien aboie !"),
        ("Hello", "Bonjour"),
    ]


def test_tsv_loads_the_first_two_columns(tmp_path):
    path = _write(
        tmp_path / "pairs.tsv", "Go.\tVa !\tCC-BY 2.0 (France)\nHi.\tSalut.\nÇa va?\tÇa va ?\n"
    )
    assert corpus.read_tsv(path) == [("Go.", "Va !"), ("Hi.", "Salut."), ("Ça va?", "Ça va ?")]


def test_load_corpus_chooses_by_source(tmp_path):
    source = _write(tmp_path / "a.txt", "one\ntwo\n")
    target = _write(tmp_path / "b.txt", "un\ndeux\n")
    tsv = _write(tmp_path / "c.tsv", "one\tun\n")
    synthetic_settings = {
        "source": "synthetic",
        "sentences": 30,
        "lexicon_size": 200,
        "max_clauses": 2,
    }
    assert corpus.load_corpus(synthetic_settings, seed=3) == synthetic.generate_corpus(
        3, 30, 200, 2
    )
    aligned_settings = {"source": "aligned_files", "source_file": source, "target_file": target}
    assert corpus.load_corpus(aligned_settings, seed=0) == [("one", "un"), ("two", "deux")]
    assert corpus.load_corpus({"source": "tsv", "tsv_file": str(tsv)}, seed=0) == [("one", "un")]


@pytest.mark.parametrize(
    ("source_text", "target_text", "bad_file", "expected"),
    [
        ("a\nb\nc\n", "x\ny\n", None, ["3 lines", "2 lines"]),
        ("a\n\nc\n", "x\ny\nz\n", "source.txt", ["line 2", "empty"]),
        ("a\nb\nc\n", "x\ny\n   \t\n", "target.txt", ["line 3", "empty"]),
        ("a\nb\nc\xff\xfe\n", "x\ny\nz\n", "source.txt", ["line 3", "UTF-8"]),
        ("", "", "source.txt", ["empty"]),
    ],
    ids=["line counts", "empty line", "blank line", "not utf-8", "empty file"],
)
def test_bad_aligned_files_are_reported(tmp_path, source_text, target_text, bad_file, expected):
    source = _write(tmp_path / "source.txt", source_text.encode("latin-1"))
    target = _write(tmp_path / "target.txt", target_text.encode("latin-1"))
    with pytest.raises(CorpusError) as raised:
        corpus.read_aligned_files(source, target)
    message = str(raised.value)
    for name in [bad_file] if bad_file else ["source.txt", "target.txt"]:
        assert name in message
    for fragment in expected:
        assert fragment in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"go\tva\nhello\nhi\tsalut\n", ["line 2", "column"]),
        (b"go\tva\nhi\tsalut\nbad\t\xc3\x28\n", ["line 3", "UTF-8"]),
        (b"go\tva\n\t salut\n", ["line 2", "empty source"]),
        (b"go\tva\n\nhi\tsalut\n", ["line 2", "empty"]),
        (b"", ["empty"]),
    ],
    ids=["one column", "not utf-8", "empty source", "empty line", "empty file"],
)
def test_bad_tsv_files_are_reported(tmp_path, content, expected):
    path = _write(tmp_path / "pairs.tsv", content)
    with pytest.raises(CorpusError) as raised:
        corpus.read_tsv(path)
    assert "pairs.tsv" in str(raised.value)
    for fragment in expected:
        assert fragment in str(raised.value)


def test_missing_files_and_unknown_sources_are_reported(tmp_path):
    present = _write(tmp_path / "present.txt", "a\n")
    with pytest.raises(CorpusError, match="absent.txt"):
        corpus.read_aligned_files(present, tmp_path / "absent.txt")
    with pytest.raises(CorpusError, match="absent.tsv"):
        corpus.load_corpus({"source": "tsv", "tsv_file": tmp_path / "absent.tsv"}, seed=0)
    with pytest.raises(CorpusError, match="europarl"):
        corpus.load_corpus({"source": "europarl"}, seed=0)
    with pytest.raises(CorpusError, match="tsv_file"):
        corpus.load_corpus({"source": "tsv"}, seed=0)
    assert issubclass(CorpusError, ValueError)


# --- vocabulary ---


def test_tokenize_splits_punctuation_and_lowers_case():
    assert vocabulary.tokenize("Hello, World!  It's  l'homme...") == [
        "hello",
        ",",
        "world",
        "!",
        "it's",
        "l'homme",
        ".",
        ".",
        ".",
    ]
    assert vocabulary.tokenize("   ") == []


def test_vocabulary_keeps_the_most_frequent_words():
    sentences = [["b", "a", "c"], ["a", "b", "d"], ["a", "e"]]
    words = Vocabulary(sentences, max_size=6)
    assert len(words) == 6
    # reserved tokens first, then a (3), b (2), and c before d and e by alphabet (1 each)
    assert words.tokens == ("<pad>", "<unk>", "<bos>", "<eos>", "a", "b")
    assert Vocabulary(sentences, max_size=7).tokens[-1] == "c"
    assert words.encode(["a", "c", "zebra", "b"]) == [4, vocabulary.UNK, vocabulary.UNK, 5]
    assert len(Vocabulary(sentences)) == 4 + 5
    assert (words.pad, words.unk, words.bos, words.eos) == (0, 1, 2, 3)
    with pytest.raises(ValueError, match="max_size"):
        Vocabulary(sentences, max_size=4)


def test_vocabulary_ranking_does_not_depend_on_sentence_order(synthetic_pairs):
    token_lists = [vocabulary.tokenize(source) for source, _ in synthetic_pairs[:300]]
    assert Vocabulary(token_lists, 50).tokens == Vocabulary(token_lists[::-1], 50).tokens


def test_encode_decode_round_trip(synthetic_pairs):
    token_lists = [vocabulary.tokenize(target) for _, target in synthetic_pairs[:200]]
    words = Vocabulary(token_lists)
    for tokens in token_lists:
        numbers = words.encode(tokens)
        assert words.decode(numbers) == tokens
        # <bos> and padding are dropped, decoding stops at <eos>
        assert words.decode([words.bos, *numbers, words.eos, 7, 8, words.pad]) == tokens
    assert words.decode([4, vocabulary.UNK]) == [words.tokens[4], "<unk>"]


def test_vocabulary_json_round_trip():
    words = Vocabulary([["über", "café", "über"]], max_size=10)
    text = words.to_json()
    json.loads(text)
    again = Vocabulary.from_json(text)
    assert again.tokens == words.tokens and len(again) == len(words)
    assert again.encode(["café", "über", "thé"]) == words.encode(["café", "über", "thé"])
    with pytest.raises(ValueError, match="<pad>"):
        Vocabulary.from_tokens(["a", "b"])


# --- encoding, splits and batches ---


def _encoded(pairs, reverse_source, max_length=None):
    source_words = Vocabulary(vocabulary.tokenize(source) for source, _ in pairs)
    target_words = Vocabulary(vocabulary.tokenize(target) for _, target in pairs)
    encoded = vocabulary.encode_pairs(pairs, source_words, target_words, reverse_source, max_length)
    return encoded, source_words, target_words


def test_reversed_source_is_the_forward_source_backwards(synthetic_pairs):
    pairs = synthetic_pairs[:300]
    forward, _, _ = _encoded(pairs, reverse_source=False)
    backward, _, _ = _encoded(pairs, reverse_source=True)
    for key in ("decoder_input", "decoder_target", "source_lengths", "target_lengths"):
        assert np.array_equal(forward[key], backward[key])  # the target is never reversed
    assert (
        forward["source"].dtype == np.int32 and forward["source"].shape == backward["source"].shape
    )
    for row, length in enumerate(forward["source_lengths"]):
        assert np.array_equal(
            backward["source"][row, :length], forward["source"][row, :length][::-1]
        )
        assert np.all(forward["source"][row, length:] == 0)
        assert np.all(backward["source"][row, length:] == 0)
        assert np.all(forward["source"][row, :length] != 0)


def test_decoder_arrays_are_the_target_shifted_by_one():
    pairs = [("the cat sleeps", "le chat dort"), ("a dog", "un chien"), ("hi there !", "salut !")]
    encoded, source_words, target_words = _encoded(pairs, reverse_source=True)
    assert encoded["decoder_input"].shape == (3, 4) and encoded["decoder_target"].shape == (3, 4)
    assert encoded["target_lengths"].tolist() == [3, 2, 2]
    assert encoded["source_lengths"].tolist() == [3, 2, 3]
    assert source_words.decode(encoded["source"][0]) == ["sleeps", "cat", "the"]
    for row, (_, target) in enumerate(pairs):
        length = encoded["target_lengths"][row]
        decoder_input, decoder_target = (
            encoded["decoder_input"][row],
            encoded["decoder_target"][row],
        )
        assert decoder_input[0] == vocabulary.BOS and decoder_target[length] == vocabulary.EOS
        assert np.array_equal(decoder_input[1 : length + 1], decoder_target[:length])
        assert target_words.decode(decoder_target) == target.split()
        assert np.all(decoder_input[length + 1 :] == 0) and np.all(
            decoder_target[length + 1 :] == 0
        )


def test_long_pairs_are_dropped():
    pairs = [("a b c", "x y"), ("a b", "x y z w"), ("a", "x")]
    encoded, _, _ = _encoded(pairs, reverse_source=False, max_length=3)
    assert encoded["indices"].tolist() == [0, 2]
    assert encoded["source"].shape == (2, 3) and encoded["decoder_input"].shape == (2, 3)
    with pytest.raises(ValueError, match="at most 0|max_length"):
        _encoded(pairs, reverse_source=False, max_length=0)


def test_split_corpus_is_fixed_by_seed_and_disjoint(synthetic_pairs):
    pairs = list(enumerate(synthetic_pairs[:500]))
    splits = vocabulary.split_corpus(pairs, 4, 0.1, 0.2)
    assert splits == vocabulary.split_corpus(pairs, 4, 0.1, 0.2)
    assert splits != vocabulary.split_corpus(pairs, 5, 0.1, 0.2)
    assert [len(splits[name]) for name in ("train", "validation", "test")] == [350, 50, 100]
    numbers = [{number for number, _ in splits[name]} for name in ("train", "validation", "test")]
    assert sum(map(len, numbers)) == 500 and set.union(*numbers) == set(range(500))
    tiny = vocabulary.split_corpus(pairs[:3], 0, 0.1, 0.1)
    assert all(len(split) == 1 for split in tiny.values())
    with pytest.raises(ValueError, match="too small"):
        vocabulary.split_corpus(pairs[:2], 0, 0.1, 0.1)


def test_length_buckets_cover_every_index_once_with_similar_lengths(synthetic_pairs):
    lengths = np.array([len(source.split()) for source, _ in synthetic_pairs[:1000]])
    batches = vocabulary.length_buckets(lengths, 64, seed=1)
    everything = np.concatenate(batches)
    assert sorted(everything.tolist()) == list(range(1000))
    assert [len(batch) for batch in batches].count(64) == 1000 // 64
    # batches hold neighbouring lengths: sorted by their shortest, they do not overlap
    ranges = sorted((lengths[batch].min(), lengths[batch].max()) for batch in batches)
    for (_, longest), (shortest, _) in zip(ranges[:-1], ranges[1:], strict=True):
        assert longest <= shortest
    spread = np.mean([np.ptp(lengths[batch]) for batch in batches])
    assert spread < np.ptp(lengths) / 5
    # the batch order is shuffled, and fixed by the seed
    assert [batch.tolist() for batch in vocabulary.length_buckets(lengths, 64, seed=1)] == [
        batch.tolist() for batch in batches
    ]
    assert [lengths[batch].min() for batch in batches] != sorted(
        lengths[batch].min() for batch in batches
    )
