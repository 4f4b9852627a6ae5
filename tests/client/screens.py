"""A virtual X screen (Xvfb) for the window's tests, and its picture as PNG without extra tools.

Xvfb ``-fbdir`` keeps its framebuffer as an XWD file; ``png_of`` reads that (32-bit ZPixmap, as
Xvfb writes it) and writes a PNG with the standard library, cropped to a window's rectangle.
"""

from __future__ import annotations

import os
import select
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path


class VirtualScreen:
    """Xvfb on a display number it chooses itself (``-displayfd``): the first free one, so two
    test runs at once (``make test`` runs SQLite and PostgreSQL side by side) never share one."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.number = None
        self.process = None

    @property
    def display(self) -> str:
        return f":{self.number}"

    def __enter__(self) -> VirtualScreen:
        binary = shutil.which("Xvfb")
        if binary is None:
            raise RuntimeError("Xvfb is missing: apt-get install -y xvfb")
        readable, writable = os.pipe()
        try:
            self.process = subprocess.Popen(
                [
                    binary,
                    "-displayfd",
                    str(writable),
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
                pass_fds=(writable,),
            )
            os.close(writable)
            writable = None
            # Xvfb writes the number once it listens on that display ("12\n").
            answer = b""
            deadline = time.monotonic() + 10
            while not answer.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([readable], [], [], left)[0]:
                    raise RuntimeError("Xvfb did not name its display within 10 s")
                chunk = os.read(readable, 16)
                if not chunk:
                    raise RuntimeError("Xvfb stopped before naming its display")
                answer += chunk
            self.number = int(answer)
        except BaseException:
            if self.process is not None:
                self.process.kill()
                self.process.wait()
            raise
        finally:
            os.close(readable)
            if writable is not None:
                os.close(writable)
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
