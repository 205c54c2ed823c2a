"""Synthetic phoneme recognition: a stand-in for TIMIT (Graves, Mohamed & Hinton 2013).

TIMIT is licensed, so the utterances are generated. An utterance is a phone sequence
rendered as acoustic frames, and the task is the paper's: read the frames, output the
phone sequence (no alignment given), scored by the phone error rate.

The language. ``phones`` phones, each with a target spectrum ``m_p`` in ``channels``
feature channels (drawn once, N(0, 1) per channel). A phone sequence of
``phones_per_utterance`` phones follows a fixed bigram model (each row a Dirichlet draw,
no phone follows itself); every phone lasts ``frames_per_phone`` frames.

Coarticulation. Within a phone the frames glide from and towards its neighbours: at
relative position ``r`` in (0, 1) the clean frame is ``(1 - w) m_p + w m_q`` with ``q``
the previous phone and ``w = c (1 - 2r)`` in the first half, the next phone and
``w = c (2r - 1)`` in the second (``c``: ``coarticulation``).

The speaker. Every utterance has its own speaker, who scales and shifts every channel
for the whole utterance:

    x_t = g * clean_t + b + n_t,   log g ~ N(0, speaker_scale²),
                                   b ~ N(0, speaker_shift²),  n_t ~ N(0, noise²)

(``g``, ``b`` per channel, fixed over the utterance). With a shift as large as the spread
of the phone targets, one frame alone cannot say which phone it is: the net has to
normalise for the speaker from the rest of the utterance, the long-range context that
the paper credits for the deep recurrent nets' results.

Labels are numbered 1..phones; 0 is CTC's blank.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Language:
    """The phones' target spectra and the bigram model, fixed by the corpus seed."""

    targets: np.ndarray  # (phones, channels)
    transitions: np.ndarray  # (phones, phones), rows sum to 1, zero diagonal

    @property
    def phones(self) -> int:
        return self.targets.shape[0]

    @property
    def channels(self) -> int:
        return self.targets.shape[1]


def make_language(seed: int, phones: int, channels: int, concentration: float = 0.3) -> Language:
    """A phone inventory and its bigram model (``concentration``: the Dirichlet's, below 1
    gives every phone a few likely successors)."""
    if phones < 2:
        raise ValueError(f"phones must be at least 2, got {phones}")
    if channels < 1:
        raise ValueError(f"channels must be at least 1, got {channels}")
    random = np.random.default_rng([seed, 2013])
    targets = random.normal(0.0, 1.0, size=(phones, channels))
    transitions = random.dirichlet(np.full(phones, concentration), size=phones)
    np.fill_diagonal(transitions, 0.0)
    transitions /= transitions.sum(axis=1, keepdims=True)
    return Language(targets=targets, transitions=transitions)


def check_ranges(settings: dict) -> None:
    """Raise ValueError naming the key whose [smallest, largest] range is reversed."""
    for key in ("phones_per_utterance", "frames_per_phone"):
        smallest, largest = settings[key]
        if smallest > largest:
            raise ValueError(
                f"speech.corpus.{key}: [{smallest}, {largest}] is not [smallest, largest]"
            )


def phone_sequence(random: np.random.Generator, language: Language, count: int) -> np.ndarray:
    """``count`` phones (0-based) from the bigram model, the first uniform."""
    sequence = [int(random.integers(language.phones))]
    for _ in range(count - 1):
        sequence.append(int(random.choice(language.phones, p=language.transitions[sequence[-1]])))
    return np.array(sequence)


def clean_frames(
    language: Language, phones: np.ndarray, durations: np.ndarray, coarticulation: float
) -> np.ndarray:
    """The coarticulated frames of a phone sequence, before speaker and noise."""
    targets = language.targets
    frames = []
    for position, (phone, duration) in enumerate(zip(phones, durations, strict=True)):
        previous = targets[phones[position - 1]] if position > 0 else targets[phone]
        following = targets[phones[position + 1]] if position + 1 < len(phones) else targets[phone]
        relative = (np.arange(duration) + 0.5) / duration
        toward_previous = coarticulation * np.clip(1.0 - 2.0 * relative, 0.0, None)[:, None]
        toward_next = coarticulation * np.clip(2.0 * relative - 1.0, 0.0, None)[:, None]
        frames.append(
            targets[phone]
            + toward_previous * (previous - targets[phone])
            + toward_next * (following - targets[phone])
        )
    return np.concatenate(frames)


def utterance(random: np.random.Generator, language: Language, settings: dict):
    """One utterance: (frames (T, channels) float32, labels (phones,) in 1..phones)."""
    low, high = settings["phones_per_utterance"]
    phones = phone_sequence(random, language, int(random.integers(low, high + 1)))
    shortest, longest = settings["frames_per_phone"]
    durations = random.integers(shortest, longest + 1, size=len(phones))
    clean = clean_frames(language, phones, durations, settings["coarticulation"])
    gain = np.exp(random.normal(0.0, settings["speaker_scale"], size=language.channels))
    shift = random.normal(0.0, settings["speaker_shift"], size=language.channels)
    noise = random.normal(0.0, settings["noise"], size=clean.shape)
    return (gain * clean + shift + noise).astype(np.float32), phones + 1


def corpus(random: np.random.Generator, language: Language, count: int, settings: dict):
    """``count`` utterances padded into arrays: frames (count, T, channels) with zeros
    after each utterance's end, frame counts (count,), labels (count, L) with 0 after
    each label sequence's end."""
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    check_ranges(settings)
    utterances = [utterance(random, language, settings) for _ in range(count)]
    frame_counts = np.array([len(frames) for frames, _ in utterances], dtype=np.int32)
    label_counts = [len(labels) for _, labels in utterances]
    frames = np.zeros((count, frame_counts.max(), language.channels), dtype=np.float32)
    labels = np.zeros((count, max(label_counts)), dtype=np.int32)
    for row, (utterance_frames, utterance_labels) in enumerate(utterances):
        frames[row, : len(utterance_frames)] = utterance_frames
        labels[row, : len(utterance_labels)] = utterance_labels
    return frames, frame_counts, labels


def phone_error_rate(references, hypotheses) -> float:
    """Edit distance (substitutions, deletions, insertions) summed over utterances,
    divided by the number of reference phones; 0 (blank) and padding are dropped."""
    from rapidfuzz.distance import Levenshtein

    errors = phones = 0
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        reference = [int(label) for label in reference if label > 0]
        hypothesis = [int(label) for label in hypothesis if label > 0]
        errors += Levenshtein.distance(reference, hypothesis)
        phones += len(reference)
    if phones == 0:
        raise ValueError("the references hold no phones")
    return errors / phones
