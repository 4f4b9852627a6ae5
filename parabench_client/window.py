"""``parabench-client venster``: a small window to send a year, as practice software offers it.

In the spirit of the practice software's "Communicatie met ParaBench": the year to send (the
current one up to its last complete quarter, or one of the previous years), a Versturen button,
progress, and the result in words. It runs the very ``send`` of the command line in a thread and
shows its messages, so every diagnosis and exit code is the command line's; without a
configuration it says "online dienst niet ingesteld" and what to do. Tkinter only (standard
library); imported only when the window is opened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import threading
import tkinter as tk
from collections.abc import Callable
from tkinter import filedialog, ttk

from parabench_client import config as config_module
from parabench_client import exits
from parabench_client.messages import t
from parabench_format.periods import PeriodError, allowed_period

PREVIOUS_YEARS = 3
RESULT_KEYS = {
    exits.EXIT_OK: "window.result.ok",
    exits.EXIT_NOT_CONFIGURED: "window.result.not_configured",
    exits.EXIT_BAD_RECORDS: "window.result.bad_records",
    exits.EXIT_NOTHING_TO_EXPORT: "window.result.nothing",
    exits.EXIT_CERTIFICATE: "window.result.certificate",
    exits.EXIT_REFUSED: "window.result.refused",
    exits.EXIT_UNAVAILABLE: "window.result.unavailable",
}


class _Lines:
    """A text stream that hands every written line to the window (from the sending thread)."""

    def __init__(self, sink: queue.Queue):
        self.sink = sink

    def write(self, text: str) -> int:
        if text.strip():
            self.sink.put(("line", text.strip("\r\n")))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def year_choices(today: dt.date) -> list[tuple[int, str]]:
    """(year, label): the current year while it has a complete quarter, then previous years."""
    choices = []
    for year in range(today.year, today.year - PREVIOUS_YEARS - 1, -1):
        try:
            begin, end = allowed_period(year, today)
        except PeriodError:
            continue
        label = t(
            "window.year", year=year, begin=begin.strftime("%d-%m-%Y"), end=end.strftime("%d-%m-%Y")
        )
        choices.append((year, label))
    return choices


class Window:
    """``command`` runs a command line and returns its exit code: ``cli.main``, handed in by
    ``cli`` (this module never imports ``cli``, which imports it)."""

    def __init__(
        self,
        root: tk.Tk,
        command: Callable[[list[str]], int],
        today: dt.date | None = None,
        records: str | None = None,
    ):
        self.root = root
        self.command = command
        self.today = today or dt.date.today()
        self.events: queue.Queue = queue.Queue()
        self.exit_code: int | None = None
        root.title(t("window.title"))
        root.resizable(False, False)
        frame = ttk.Frame(root, padding=16)
        frame.grid(sticky="nsew")
        self.frame = frame
        ttk.Label(frame, text=t("window.heading"), font=("TkDefaultFont", 13, "bold")).grid(
            row=0, column=0, columnspan=3, sticky="w", pady=(0, 8)
        )
        try:
            self.config = config_module.load()
            self.problem = ""
        except config_module.ConfigError as error:
            self.config = None
            self.problem = t(f"config.{error.code}", detail=error.detail)
        if self.config is None:
            self._not_configured()
            return
        ttk.Label(
            frame,
            text=t("window.service", agb=self.config.agb_code or "-", url=self.config.service.url),
        ).grid(row=1, column=0, columnspan=3, sticky="w")
        ttk.Label(frame, text=t("window.records")).grid(row=2, column=0, sticky="w", pady=6)
        self.records = tk.StringVar(value=records or self.config.records_dir)
        ttk.Entry(frame, textvariable=self.records, width=44).grid(row=2, column=1, sticky="we")
        ttk.Button(frame, text=t("window.browse"), command=self._browse).grid(
            row=2, column=2, padx=(6, 0)
        )
        ttk.Label(frame, text=t("window.year_label")).grid(row=3, column=0, sticky="w")
        self.choices = year_choices(self.today)
        self.year = tk.StringVar(value=self.choices[0][1] if self.choices else "")
        self.year_box = ttk.Combobox(
            frame,
            textvariable=self.year,
            values=[label for _year, label in self.choices],
            state="readonly",
            width=42,
        )
        self.year_box.grid(row=3, column=1, sticky="we")
        self.send_button = ttk.Button(frame, text=t("window.send"), command=self.send)
        self.send_button.grid(row=3, column=2, padx=(6, 0))
        self.progress = ttk.Progressbar(frame, mode="indeterminate", length=420)
        self.progress.grid(row=4, column=0, columnspan=3, sticky="we", pady=(12, 4))
        self.status = tk.StringVar(value=t("window.ready"))
        ttk.Label(frame, textvariable=self.status, wraplength=520, justify="left").grid(
            row=5, column=0, columnspan=3, sticky="w"
        )
        self.log = tk.Text(frame, height=10, width=72, state="disabled", wrap="word")
        self.log.grid(row=6, column=0, columnspan=3, pady=(8, 0))

    def _not_configured(self) -> None:
        ttk.Label(
            self.frame,
            text=t("window.not_configured", reason=self.problem),
            wraplength=520,
            justify="left",
        ).grid(row=1, column=0, sticky="w")
        ttk.Button(self.frame, text=t("window.close"), command=self.root.destroy).grid(
            row=2, column=0, sticky="e", pady=(12, 0)
        )

    def _browse(self) -> None:
        chosen = filedialog.askdirectory(initialdir=self.records.get() or None)
        if chosen:
            self.records.set(chosen)

    def selected_year(self) -> int | None:
        for year, label in self.choices:
            if label == self.year.get():
                return year
        return None

    def send(self) -> None:
        """Run the command line's send for the chosen year in a thread; show what it says."""
        year = self.selected_year()
        if year is None or not self.records.get():
            self.status.set(t("window.choose"))
            return
        self.send_button.state(["disabled"])
        self.progress.configure(mode="indeterminate")
        self.progress.start(12)
        self.status.set(t("window.sending", year=year))
        self._clear_log()
        arguments = ["send", "--records", self.records.get(), "--year", str(year), "--wait", "120"]
        arguments += ["--today", self.today.isoformat()]
        threading.Thread(target=self._run, args=(arguments,), daemon=True).start()
        self.root.after(100, self._poll)

    def _run(self, arguments: list[str]) -> None:
        stream = _Lines(self.events)
        with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
            code = self.command(arguments)
        self.events.put(("done", code))

    def _poll(self) -> None:
        try:
            while True:
                kind, value = self.events.get_nowait()
                if kind == "line":
                    self._append(value)
                else:
                    self._finish(value)
                    return
        except queue.Empty:
            pass
        self.root.after(100, self._poll)

    def _finish(self, code: int) -> None:
        self.exit_code = code
        self.progress.stop()
        self.progress.configure(mode="determinate", maximum=1, value=1 if code == 0 else 0)
        self.send_button.state(["!disabled"])
        self.status.set(t(RESULT_KEYS.get(code, "window.result.other"), code=code))

    def _clear_log(self) -> None:
        self.log.configure(state="normal")
        self.log.delete("1.0", "end")
        self.log.configure(state="disabled")

    def _append(self, text: str) -> None:
        self.log.configure(state="normal")
        self.log.insert("end", text + "\n")
        self.log.see("end")
        self.log.configure(state="disabled")


def run(args, command: Callable[[list[str]], int]) -> int:
    """Open the window; its Versturen runs ``command`` (the command line's ``main``)."""
    try:
        root = tk.Tk()
    except tk.TclError as error:
        raise exits.Failure(exits.EXIT_USAGE, t("window.no_display", detail=error)) from error
    Window(
        root,
        command,
        today=getattr(args, "today", None),
        records=getattr(args, "records", None),
    )
    root.mainloop()
    return 0
