"""The CJK font as a shared zstd dictionary for pushed batches.

A certificate's PDF embeds a subset of the CJK font, and those glyphs are most of what a
month's certificates weigh on the link.  Both ends install the same font with hallterm (the
``paperang-p2-fonts-cjk`` package), so a push body that carries binary parts (a certificate's
PDF, ``wire.carries_bytes``) is compressed with the font file as a raw-content zstd
dictionary: the glyphs then cost a few bytes each.  The request names the
dictionary by the first 16 hex digits of the font's SHA-256 (``DICTIONARY_HEADER``); a
service without that very font answers 415 ``{no_dictionary: true}``, and the station sends
the batch again without it.  Where the font is not installed there is no dictionary.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from dataclasses import dataclass

import zstandard

from hallterm.printing.fonts import bundled_font

DICTIONARY_HEADER = "X-Hallterm-Dictionary"
# The font file is ~5 MB: the window must reach back over all of it.
_WINDOW_LOG = 23


@dataclass(frozen=True)
class FontDictionary:
    id: str
    data: zstandard.ZstdCompressionDict
    params: zstandard.ZstdCompressionParameters

    def compress(self, raw: bytes) -> bytes:
        return zstandard.ZstdCompressor(
            dict_data=self.data, compression_params=self.params
        ).compress(raw)

    def decompress(self, body: bytes) -> bytes:
        return zstandard.ZstdDecompressor(dict_data=self.data).decompress(body)


_LOADING = threading.Lock()


def font_dictionary(level: int) -> FontDictionary | None:
    """The bundled font as a dictionary for compression ``level``, loaded once per process
    (~0.15 s): a caller that comes while another thread loads it waits for that one."""
    with _LOADING:
        return _load(level)


@functools.cache
def _load(level: int) -> FontDictionary | None:
    path = bundled_font()
    if path is None:
        return None
    raw = path.read_bytes()
    data = zstandard.ZstdCompressionDict(raw, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    params = zstandard.ZstdCompressionParameters.from_level(level, window_log=_WINDOW_LOG)
    data.precompute_compress(compression_params=params)
    return FontDictionary(hashlib.sha256(raw).hexdigest()[:16], data, params)
