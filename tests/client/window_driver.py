"""Drives the window in its own process (Tk keeps its X connection until the process ends, so
each test gets a fresh process and screen): ``python window_driver.py MODE RECORDS PNG FBFILE``.

Prints one JSON object: the labels shown, the years offered, the result and the messages.
"""

import datetime as dt
import json
import sys
import time
import tkinter as tk
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from parabench_client.cli import main as command  # noqa: E402
from parabench_client.window import Window  # noqa: E402
from tests.client.screens import png_of  # noqa: E402


def main(mode: str, records: str, png: str, framebuffer: str, today: str) -> None:
    root = tk.Tk()
    window = Window(root, command, today=dt.date.fromisoformat(today), records=records or None)
    root.update()
    out = {
        "labels": [
            str(w.cget("text"))
            for w in window.frame.winfo_children()
            if w.winfo_class() == "TLabel"
        ]
    }
    if mode == "send":
        labels = [label for _year, label in window.choices]
        out["years"] = labels
        window.year.set(labels[1])
        window.send_button.invoke()
        deadline = time.monotonic() + 90
        while window.exit_code is None and time.monotonic() < deadline:
            root.update()
            time.sleep(0.02)
        out.update(
            exit_code=window.exit_code,
            status=window.status.get(),
            log=window.log.get("1.0", "end"),
        )
    for _ in range(20):
        root.update()
        time.sleep(0.02)
    x, y = root.winfo_rootx(), root.winfo_rooty()
    png_of(Path(framebuffer), Path(png), (x, y, x + root.winfo_width(), y + root.winfo_height()))
    print(json.dumps(out))
    root.destroy()


if __name__ == "__main__":
    main(*sys.argv[1:])
