"""reports.png: the fast PNG writer of the print maps decodes to exactly the pixels drawn, at 300 dpi."""

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from healthplan.reports.png import png_bytes, write_png


def _map_like(h: int = 240, w: int = 351, seed: int = 3) -> np.ndarray:
    """An RGBA page like a map's: flat fills, a few lines and noise (antialiased edges), opaque."""
    rng = np.random.default_rng(seed)
    page = np.full((h, w, 4), 255, dtype=np.uint8)
    page[40:200, 30:300, :3] = (120, 198, 121)
    page[100:110, :, :3] = (85, 85, 85)
    page[:, 150:152, :3] = (176, 176, 176)
    noisy = rng.random((h, w)) < 0.05
    page[noisy, :3] = rng.integers(0, 256, size=(int(noisy.sum()), 3), dtype=np.uint8)
    return page


def test_decodes_to_the_same_pixels_size_and_resolution():
    page = _map_like()
    img = Image.open(io.BytesIO(png_bytes(page, 300)))
    img.load()
    assert img.mode == "RGB" and img.size == (351, 240)
    assert np.array_equal(np.asarray(img), page[..., :3])  # the alpha channel is dropped, nothing else
    assert img.info["dpi"] == pytest.approx((300, 300), abs=0.01)


def test_rgb_input_and_file_are_the_same_bytes(tmp_path):
    page = _map_like()
    write_png(tmp_path / "a.png", page, 300)
    assert (tmp_path / "a.png").read_bytes() == png_bytes(np.ascontiguousarray(page[..., :3]), 300)


def test_same_pixels_same_bytes_and_chunks_are_checksummed():
    page = _map_like()
    raw = png_bytes(page, 300)
    assert raw == png_bytes(page.copy(), 300)
    # walk the chunks: IHDR, pHYs, IDAT, IEND, each CRC right (Pillow checks them too, a corrupt one fails)
    pos, kinds = 8, []
    while pos < len(raw):
        n = int.from_bytes(raw[pos:pos + 4], "big")
        kind, data = raw[pos + 4:pos + 8], raw[pos + 8:pos + 8 + n]
        assert int.from_bytes(raw[pos + 8 + n:pos + 12 + n], "big") == zlib.crc32(kind + data) & 0xFFFFFFFF
        kinds.append(kind)
        pos += 12 + n
    assert kinds == [b"IHDR", b"pHYs", b"IDAT", b"IEND"]


def test_rejects_what_is_not_an_8_bit_page():
    with pytest.raises(ValueError, match="uint8"):
        png_bytes(np.zeros((4, 4, 3), dtype=float), 300)
    with pytest.raises(ValueError, match="uint8"):
        png_bytes(np.zeros((4, 4), dtype=np.uint8), 300)


def test_without_isal_the_standard_librarys_deflate_gives_the_same_pixels(monkeypatch):
    """ISA-L's deflate where its wheel is installed, zlib's where not: both decode to the drawn pixels."""
    import importlib
    import sys

    import healthplan.reports.png as png

    page = _map_like()
    assert "isal_zlib" in png._deflate.__code__.co_names  # the dependency is installed here
    fast = png.png_bytes(page, 300)
    monkeypatch.setitem(sys.modules, "isal", None)  # as on a platform without the wheel
    try:
        plain = importlib.reload(png)
        assert "isal_zlib" not in plain._deflate.__code__.co_names
        slow = plain.png_bytes(page, 300)
    finally:
        monkeypatch.undo()
        importlib.reload(png)
    for data in (fast, slow):
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), page[..., :3])
