"""Reading CSV and TSV the way real CRMs and spreadsheets write them.

A UTF-8 byte-order mark, Windows-1251 when the bytes are not UTF-8, `;` or tab as the delimiter,
quoted fields with line breaks, header names with stray spaces. The file is opened as bytes that can be
read twice (an import scans once for date formats, then imports), and rows are streamed, never loaded.
"""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dealflow.core.errors import InputError

DELIMITERS = (",", ";", "\t")
FALLBACK_ENCODING = "cp1251"
_CHUNK = 1 << 20
_NAMED_DELIMITERS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}


@dataclass
class Source:
    """An opened file: its bytes (seekable), encoding and delimiter."""

    name: str
    raw: BinaryIO
    encoding: str
    delimiter: str

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number where the record starts, cells) for every record after the header."""
        reader, text = self._reader()
        line = 0
        try:
            next(reader, None)
            line = reader.line_num
            for cells in reader:
                if (cells and cells[0].strip()) or "".join(cells).strip():  # skip blank records
                    yield line + 1, cells
                line = reader.line_num
        except (csv.Error, UnicodeDecodeError) as exc:
            problem = ("a quoted field opens here and is never closed" if "unexpected end of data" in str(exc)
                       else f"cannot read the file ({exc})")
            raise InputError(f"{self.name}: line {line + 1}: {problem}; nothing was imported") from None
        finally:
            text.detach()

    def header(self) -> list[str]:
        """Column names with stray spaces (and no-break spaces) removed."""
        reader, text = self._reader()
        try:
            names = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{self.name}: cannot read the header row ({exc})") from None
        finally:
            text.detach()
        if not names or not any(name.strip() for name in names):
            raise InputError(f"{self.name} is empty; the first row must name the columns")
        return [name.replace("\ufeff", "").replace("\u00a0", " ").strip() for name in names]

    def _reader(self):
        self.raw.seek(0)
        text = io.TextIOWrapper(self.raw, encoding=self.encoding, newline="")
        # strict: an unterminated quote is an error, not a field that swallows the rest of the file
        return csv.reader(text, delimiter=self.delimiter, strict=True), text

    def close(self) -> None:
        self.raw.close()


def open_source(path: str, *, encoding: str | None = None, delimiter: str | None = None) -> Source:
    """Open FILE (or `-` for stdin, spooled to a temporary file so it can be read twice)."""
    if path == "-":
        raw: BinaryIO = tempfile.TemporaryFile()
        shutil.copyfileobj(sys.stdin.buffer, raw)
        name = "stdin"
    else:
        file = Path(path).expanduser()
        if not file.is_file():
            raise InputError(f"no file {path!r}; give the path of a CSV or TSV file, or - for stdin")
        raw = file.open("rb")
        name = str(path)
    try:
        _refuse_spreadsheet(raw, name)
        chosen = _checked_encoding(encoding) if encoding else detect_encoding(raw)
        source = Source(name, raw, chosen, "")
        source.delimiter = _checked_delimiter(delimiter) if delimiter else sniff_delimiter(raw, chosen)
    except BaseException:
        raw.close()
        raise
    return source


# What a file starts with when it is a spreadsheet rather than text: xlsx (a zip), xls, and the HTML table
# that Bitrix24's and amoCRM's "Export to Excel" save with an .xls name.
_SPREADSHEET_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
_MARKUP_STARTS = ("<html", "<!doctype", "<?xml", "<table", "<meta", "<head", "<body", "<style")


def _refuse_spreadsheet(raw: BinaryIO, name: str) -> None:
    """An Excel workbook read as CSV gives one column of binary noise: say what to do instead."""
    start = raw.read(512)
    raw.seek(0)
    text = start.lstrip(codecs.BOM_UTF8).lstrip().decode("latin-1").casefold()
    if start.startswith(_SPREADSHEET_STARTS) or text.startswith(_MARKUP_STARTS):
        raise InputError(f"{name} is an Excel or web page file, not CSV; open it in a spreadsheet and save it as "
                         "CSV (or export CSV from your CRM), then import that file")


def _checked_encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InputError(f"unknown encoding {name!r}; use e.g. utf-8, cp1251, latin-1") from None


def _checked_delimiter(text: str) -> str:
    delimiter = _NAMED_DELIMITERS.get(text.casefold(), text)
    if len(delimiter) != 1:
        raise InputError(f"--delimiter must be one character (or 'tab'), not {text!r}")
    return delimiter


def detect_encoding(raw: BinaryIO) -> str:
    """UTF-8 (with or without a byte-order mark) when every byte decodes as UTF-8, else Windows-1251."""
    raw.seek(0)
    if raw.read(3) == codecs.BOM_UTF8:
        return "utf-8-sig"
    raw.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := raw.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return FALLBACK_ENCODING
    return "utf-8"


def sniff_delimiter(raw: BinaryIO, encoding: str) -> str:
    """The delimiter used most in the header row (outside quotes): comma, semicolon or tab."""
    raw.seek(0)
    head = raw.read(64 * 1024).decode(encoding, errors="replace")
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in head:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","
