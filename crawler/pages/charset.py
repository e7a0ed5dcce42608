"""A page's bytes as text: its declared charset, unless the bytes prove it wrong.

As in a browser (and in w3lib's ``html_to_unicode``, whose names are used: ISO-8859-1 reads
as windows-1252), a byte order mark wins, then the Content-Type header's charset, then a
``<meta>`` or XML declaration. Pure ASCII reads the same in all of them. Otherwise:

- bytes that are valid UTF-8 are UTF-8, whatever is declared: multi-byte UTF-8 sequences
  almost never happen by chance in a legacy charset, and when declared UTF-8 is right, this
  is the only decode;
- bytes that do not decode in the charset declared first are read in the next declaration
  that decodes them, else as windows-1252: a ``charset_mismatch`` (a server's default
  ``charset=utf-8`` over a Latin-1 file is the common case);
- a page that declares nothing is read as UTF-8 if it is, else as windows-1252, the web's
  default for undeclared pages: a ``charset_undeclared``;
- a page read, as declared, in a charset other than UTF-8 is a ``legacy_charset``.
"""

from __future__ import annotations

from typing import NamedTuple

from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
    to_unicode,
)

from crawler.pages.guards import FAULT, ROUTINE, Finding

UTF8 = "utf-8"
#: What an undeclared page that is not UTF-8, or a misdeclared one, is read as.
FALLBACK = "cp1252"


class Decoded(NamedTuple):
    text: str
    encoding: str
    finding: Finding | None


def decode(body: bytes, content_type: str | None) -> Decoded:
    """``body`` as text, the charset it was read in, and what its declarations got wrong."""
    bom, _ = read_bom(body)
    if bom is not None or body.isascii():
        encoding, text = html_to_unicode(content_type, body)
        return Decoded(text, encoding, None)
    declared = [
        (encoding, where)
        for encoding, where in (
            (http_content_type_encoding(content_type), "Content-Type"),
            (html_body_declared_encoding(body), "<meta>"),
        )
        if encoding
    ]
    utf8 = _strictly(body, UTF8)
    if not declared:
        encoding = UTF8 if utf8 is not None else FALLBACK
        finding = Finding("charset_undeclared", f"No charset declared, read as {encoding}", ROUTINE)
        return Decoded(utf8 if utf8 is not None else to_unicode(body, encoding), encoding, finding)
    said, where = declared[0]
    if utf8 is not None:
        return Decoded(utf8, UTF8, None if said == UTF8 else _mismatch(said, where, UTF8))
    text = _strictly(body, said)
    if text is not None:
        legacy = Finding("legacy_charset", f"Charset {said}, as {where} declares", ROUTINE)
        return Decoded(text, said, legacy)
    for other, _ in declared[1:]:
        text = _strictly(body, other)
        if text is not None:
            return Decoded(text, other, _mismatch(said, where, other))
    return Decoded(to_unicode(body, FALLBACK), FALLBACK, _mismatch(said, where, FALLBACK))


def _strictly(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _mismatch(said: str, where: str, read_as: str) -> Finding:
    return Finding(
        "charset_mismatch",
        f"Charset mismatch ({where} says {said}, the bytes are not), read as {read_as}",
        FAULT,
    )
