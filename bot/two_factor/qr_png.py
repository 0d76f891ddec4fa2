"""A QR code as PNG bytes, written with the standard library (no imaging package needed)."""

from __future__ import annotations

import struct
import zlib

import qrcode

# Pixels per module, and the quiet zone in modules that scanners need around the code.
SCALE = 8
BORDER = 4


def qr_png(data: str, *, scale: int = SCALE) -> bytes:
    """A black-on-white PNG of `data` as a QR code."""
    code = qrcode.QRCode(border=BORDER, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return _png([[not dark for dark in row] for row in matrix], scale)


def _png(white: list[list[bool]], scale: int) -> bytes:
    """A 1-bit greyscale PNG: True is a white module."""
    side = len(white) * scale
    rows = bytearray()
    for row in white:
        bits = "".join(("1" if cell else "0") * scale for cell in row)
        bits += "0" * (-len(bits) % 8)
        line = b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")
        rows += line * scale

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )
