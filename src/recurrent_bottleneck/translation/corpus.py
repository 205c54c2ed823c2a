"""Parallel text for the translation milestone: the synthetic default or files a user brings.

Two file layouts are read, the two in which public parallel corpora usually come:

* two aligned plain-text files, one sentence per line, line n of the one translating line n
  of the other (how WMT releases its corpora, e.g. ``europarl-v7.fr-en.en`` and ``.fr``);
* one tab-separated file with the source sentence in the first column and the target in
  the second (how sentence pairs derived from Tatoeba are shared); further columns, such as
  attribution, are ignored.

Files are read as bytes and decoded one line at a time, so that a problem can be reported
with the file and the 1-based line number where it sits: a line that is not UTF-8, an
empty sentence, a tab-separated line without a second column, or aligned files whose line
counts differ. Every such problem raises :class:`CorpusError`. A UTF-8 byte order mark at
the start of a file and Windows line endings are accepted.
"""

from __future__ import annotations

from pathlib import Path

from recurrent_bottleneck.translation import synthetic

SOURCES = ("synthetic", "aligned_files", "tsv")


class CorpusError(ValueError):
    """A parallel corpus that cannot be used; the message names the file and, where it
    applies, the line."""


def read_aligned_files(source_path: str | Path, target_path: str | Path) -> list[tuple[str, str]]:
    """(source, target) pairs from two files holding one sentence per line, line by line."""
    source_lines = _read_lines(source_path)
    target_lines = _read_lines(target_path)
    if len(source_lines) != len(target_lines):
        raise CorpusError(
            f"aligned files differ in length: {source_path} has {len(source_lines)} lines "
            f"but {target_path} has {len(target_lines)} lines"
        )
    for path, lines in ((source_path, source_lines), (target_path, target_lines)):
        for line_number, line in enumerate(lines, start=1):
            if not line.strip():
                raise CorpusError(f"{path}, line {line_number}: empty sentence")
    return [
        (source.strip(), target.strip())
        for source, target in zip(source_lines, target_lines, strict=True)
    ]


def read_tsv(path: str | Path) -> list[tuple[str, str]]:
    """(source, target) pairs from the first two tab-separated columns of every line."""
    pairs = []
    for line_number, line in enumerate(_read_lines(path), start=1):
        if not line.strip():
            raise CorpusError(f"{path}, line {line_number}: empty line")
        columns = line.split("\t")
        if len(columns) < 2:
            raise CorpusError(
                f"{path}, line {line_number}: expected a source and a target separated by a "
                "tab, found only one column"
            )
        source, target = columns[0].strip(), columns[1].strip()
        for side, sentence in (("source", source), ("target", target)):
            if not sentence:
                raise CorpusError(f"{path}, line {line_number}: empty {side} sentence")
        pairs.append((source, target))
    return pairs


def load_corpus(settings: dict, seed: int) -> list[tuple[str, str]]:
    """The corpus that ``settings["source"]`` names, as (source, target) sentence pairs.

    ``"synthetic"`` generates one from ``seed`` with the settings ``sentences``,
    ``lexicon_size`` and ``max_clauses``; ``"aligned_files"`` reads ``source_file`` and
    ``target_file``; ``"tsv"`` reads ``tsv_file``. File paths are taken as given (relative
    paths relative to the working directory).
    """
    source = settings.get("source")
    if source == "synthetic":
        return synthetic.generate_corpus(
            seed,
            sentences=int(_setting(settings, "sentences")),
            lexicon_size=int(_setting(settings, "lexicon_size")),
            max_clauses=int(_setting(settings, "max_clauses")),
        )
    if source == "aligned_files":
        return read_aligned_files(
            _setting(settings, "source_file"), _setting(settings, "target_file")
        )
    if source == "tsv":
        return read_tsv(_setting(settings, "tsv_file"))
    raise CorpusError(f"unknown corpus source {source!r}; expected one of {', '.join(SOURCES)}")


def _setting(settings: dict, key: str):
    if settings.get(key) is None:
        raise CorpusError(f"corpus source {settings.get('source')!r} needs the setting {key!r}")
    return settings[key]


def _read_lines(path: str | Path) -> list[str]:
    """The decoded lines of a file, without line endings; a final newline ends the last line
    rather than starting an empty one."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{path}: corpus file not found") from None
    except IsADirectoryError:
        raise CorpusError(f"{path}: is a directory, not a corpus file") from None
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte order mark some editors write
    if not raw:
        raise CorpusError(f"{path}: empty corpus file")
    raw_lines = raw.split(b"\n")
    if raw_lines[-1] == b"":
        raw_lines.pop()
    lines = []
    for line_number, raw_line in enumerate(raw_lines, start=1):
        try:
            lines.append(raw_line.removesuffix(b"\r").decode("utf-8"))
        except UnicodeDecodeError as error:
            raise CorpusError(
                f"{path}, line {line_number}: not valid UTF-8 (byte {error.start + 1} of the "
                f"line: {error.reason})"
            ) from None
    return lines
