"""A virtual X screen (Xvfb) for the window's tests, and its picture as PNG without extra tools.

Xvfb ``-fbdir`` keeps its framebuffer as an XWD file; ``png_of`` reads that (32-bit ZPixmap, as
Xvfb writes it) and writes a PNG with the standard library, cropped to a window's rectangle.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path


class VirtualScreen:
    started = 0  # a new display number for each screen: an old one's socket may linger

    def __init__(self, folder: Path):
        VirtualScreen.started += 1
        self.folder = folder
        self.number = 100 + (os.getpid() % 200) * 20 + VirtualScreen.started % 20
        self.process = None

    @property
    def display(self) -> str:
        return f":{self.number}"

    def __enter__(self) -> VirtualScreen:
        binary = shutil.which("Xvfb")
        if binary is None:
            raise RuntimeError("Xvfb is missing: apt-get install -y xvfb")
        self.process = subprocess.Popen(
            [
                binary,
                self.display,
                "-screen",
                "0",
                "900x700x24",
                "-fbdir",
                str(self.folder),
                "-nolisten",
                "tcp",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        socket = Path(f"/tmp/.X11-unix/X{self.number}")
        deadline = time.monotonic() + 10
        while not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def png(self, target: Path, box: tuple[int, int, int, int] | None = None) -> Path:
        return png_of(self.folder / "Xvfb_screen0", target, box)


def png_of(xwd: Path, target: Path, box=None) -> Path:
    data = xwd.read_bytes()
    fields = struct.unpack(">25I", data[:100])
    header_size, width, height = fields[0], fields[4], fields[5]
    bits_per_pixel, bytes_per_line, colours = fields[11], fields[12], fields[19]
    assert bits_per_pixel == 32, bits_per_pixel
    start = header_size + 12 * colours
    left, top, right, bottom = box or (0, 0, width, height)
    rows = []
    for y in range(top, bottom):
        line = data[start + y * bytes_per_line : start + (y + 1) * bytes_per_line]
        pixels = bytearray()
        for x in range(left, right):
            blue, green, red = line[4 * x], line[4 * x + 1], line[4 * x + 2]
            pixels += bytes((red, green, blue))
        rows.append(b"\x00" + bytes(pixels))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", right - left, bottom - top, 8, 2, 0, 0, 0)
    target.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )
    return target
