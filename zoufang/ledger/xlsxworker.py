"""Reading an .xlsx with python-calamine in a child process, rows streamed back as JSON.

calamine (Rust) reads a worksheet about ten times faster than openpyxl, but it loads the whole
worksheet at once and sizes its memory from numbers in the file: a crafted file of a few
kilobytes can make it allocate gigabytes and abort the process. So it runs here, in a child
process of its own with a ceiling on its memory and CPU time (`resource.setrlimit`). A file
that breaks it kills the child, never the web server; `ledger.sheets` then reads the file with
openpyxl's streaming reader instead.

The child speaks JSON lines. Commands on stdin, one per line:

    {"cmd": "sheets"}                  → {"sheets": [[index, name], ...]}  (visible worksheets)
    {"cmd": "load", "index": i}        → {"loaded": i, "first_column": c, "last_column": n}
    {"cmd": "rows", "limit": n}        → {"rows": [[cell, ...], ...]} ... then {"end": true}
                                          (from row 1 of the loaded sheet; limit 0 = all)
    {"cmd": "check", "job": {...}}     → {"batch_bytes": n} ... then {"end": true}
                                          (the loaded sheet's rows checked and prepared for
                                          the importer: `ledger.imports.check_in_worker`;
                                          each answer line is followed by n bytes, the
                                          batch in `marshal`'s format)

For "check" the child has Django set up (the parent's settings module, given on its command
line; the child never opens a database connection) so that checking, sealing and laying out
the rows run on the machine's other core while the parent writes the batches already sent.
The set-up runs in a thread from the start, while calamine loads the sheet (calamine releases
the GIL), so it costs the import no time. Batches wait in a
bounded queue for a thread that writes them out, so the child runs ahead of the parent by
at most QUEUED_BATCHES.

Any failure is answered {"error": "..."} and the child exits. Cells are JSON values; a
date, datetime, time or duration is {"$": "d" | "dt" | "t" | "td", "v": ISO text or seconds}.
A checked batch (lists, strings and numbers only) goes as `marshal` data rather than JSON:
written and read in a third of the time, and a batch of 5,000 rows is some 2 MB. marshal is
not made for data from strangers; these bytes come from this module's own child, which runs
this program as the same user (the sheet it reads only ever reaches calamine).
This module's `main` is the child (Django only for "check"); `Worker` is the parent's side.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import marshal
import os
import queue
import resource
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import IO, Any

# The child's ceilings: address space and CPU seconds.
MEMORY_LIMIT = 1536 * 1024 * 1024
CPU_SECONDS = 300
BATCH = 2000
QUEUED_BATCHES = 4


class WorkerError(Exception):
    """The child failed: the file is not one calamine can read within its limits."""


# ---------------------------------------------------------------------------------------------
# Cells on the wire


def _encode_special(value: object) -> dict[str, Any]:
    if isinstance(value, datetime.datetime):
        return {"$": "dt", "v": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$": "d", "v": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"$": "t", "v": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"$": "td", "v": value.total_seconds()}
    return {"$": "s", "v": str(value)}


def _decode_special(obj: dict[str, Any]) -> object:
    kind, value = obj.get("$"), obj.get("v")
    if kind == "dt":
        return datetime.datetime.fromisoformat(value)  # type: ignore[arg-type]
    if kind == "d":
        return datetime.date.fromisoformat(value)  # type: ignore[arg-type]
    if kind == "t":
        return datetime.time.fromisoformat(value)  # type: ignore[arg-type]
    if kind == "td":
        return datetime.timedelta(seconds=float(value))  # type: ignore[arg-type]
    return str(value)


def _send(out: IO[bytes], message: dict[str, Any]) -> None:
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=_encode_special)
    out.write(text.encode() + b"\n")
    out.flush()


def _send_batch(out: IO[bytes], batch: dict[str, Any]) -> None:
    data = marshal.dumps(batch)
    out.write(b'{"batch_bytes":%d}\n' % len(data))
    out.write(data)
    out.flush()


# ---------------------------------------------------------------------------------------------
# The child


def main() -> None:
    """The child: `python -m zoufang.ledger.xlsxworker PATH`."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    out = sys.stdout.buffer
    django_ready = _DjangoSetup(sys.argv[2] if len(sys.argv) > 2 else "")
    try:
        workbook = CalamineWorkbook.from_path(sys.argv[1])
    except BaseException as exc:  # a Rust panic is a BaseException
        _send(out, {"error": f"open: {type(exc).__name__}"})
        sys.exit(1)
    sheet: Any = None
    for line in sys.stdin:
        try:
            command = json.loads(line)
            name = command.get("cmd")
            if name == "sheets":
                visible = [
                    [index, meta.name]
                    for index, meta in enumerate(workbook.sheets_metadata)
                    if meta.typ == SheetTypeEnum.WorkSheet
                    and meta.visible == SheetVisibleEnum.Visible
                ]
                _send(out, {"sheets": visible})
            elif name == "load":
                sheet = None
                sheet = workbook.get_sheet_by_index(int(command["index"]))
                start, end = sheet.start, sheet.end
                _send(
                    out,
                    {
                        "loaded": command["index"],
                        "first_column": 0 if start is None else int(start[1]),
                        "last_column": 0 if end is None else int(end[1]) + 1,
                    },
                )
            elif name == "rows":
                _stream(out, sheet, int(command.get("limit") or 0))
            elif name == "check":
                _check(out, sheet, command["job"], django_ready)
            else:
                _send(out, {"error": f"unknown command {name!r}"})
                sys.exit(1)
        except BaseException as exc:
            _send(out, {"error": f"{name}: {type(exc).__name__}"})
            sys.exit(1)


def _stream(out: IO[bytes], sheet: Any, limit: int) -> None:
    if sheet is None or sheet.start is None:  # nothing loaded, or an empty sheet
        _send(out, {"end": True})
        return
    batch: list[list[Any]] = []
    # iter_rows() starts at row 1 (empty rows above the data) but at the first used column.
    for count, row in enumerate(sheet.iter_rows(), start=1):
        batch.append(row)
        if len(batch) >= BATCH:
            _send(out, {"rows": batch})
            batch = []
        if limit and count >= limit:
            break
    if batch:
        _send(out, {"rows": batch})
    _send(out, {"end": True})


class _DjangoSetup:
    """Django set up in a thread of the child, from its start (see the module's docstring)."""

    def __init__(self, settings_module: str) -> None:
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if settings_module:
            os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
            self._thread = threading.Thread(target=self._setup, daemon=True)
            self._thread.start()

    def _setup(self) -> None:
        try:
            import django

            django.setup()
            import zoufang.ledger.imports  # noqa: F401 - imported while calamine works
        except BaseException as exc:  # raised by wait(), in the command that needs Django
            self._error = exc

    def wait(self) -> None:
        if self._thread is None:
            raise RuntimeError("started without a settings module")
        self._thread.join()
        if self._error is not None:
            raise self._error


def _check(out: IO[bytes], sheet: Any, job: dict[str, Any], django_ready: _DjangoSetup) -> None:
    if sheet is None:
        raise ValueError("no sheet loaded")
    django_ready.wait()
    from zoufang.core.collector import collect_young, collector_paused
    from zoufang.ledger.imports import check_in_worker

    outbox: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=QUEUED_BATCHES)
    failed: list[BaseException] = []

    def send_all() -> None:
        try:
            while (batch := outbox.get()) is not None:
                _send_batch(out, batch)
        except BaseException as exc:  # the parent has gone: stop checking
            failed.append(exc)

    sender = threading.Thread(target=send_all, daemon=True)
    sender.start()
    try:
        with collector_paused():
            for batch in check_in_worker(sheet, job):
                if failed:
                    raise failed[0]
                outbox.put(batch)
                collect_young()
    finally:
        outbox.put(None)
        sender.join()
    if failed:
        raise failed[0]
    _send(out, {"end": True})


# ---------------------------------------------------------------------------------------------
# The parent's side


class Worker:
    """A running child reading one file. Not thread-safe; close it when done."""

    def __init__(self, path: str) -> None:
        from django.conf import settings

        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", "zoufang.ledger.xlsxworker", path, settings.SETTINGS_MODULE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=1 << 16,
        )
        self._streaming = False
        self.loaded: int | None = None
        self.first_column = 0
        self.last_column = 0

    def _ask(self, command: dict[str, Any]) -> None:
        process = self._process
        if process is None or self._streaming:
            raise WorkerError("worker not ready")
        assert process.stdin is not None
        try:
            process.stdin.write(json.dumps(command).encode() + b"\n")
            process.stdin.flush()
        except OSError as exc:
            self.close()
            raise WorkerError("worker gone") from exc

    def _answer(self) -> dict[str, Any]:
        process = self._process
        if process is None:
            raise WorkerError("worker closed")
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            self.close()
            raise WorkerError("worker died")
        message: dict[str, Any] = json.loads(line, object_hook=_decode_hook)
        if "error" in message:
            self.close()
            raise WorkerError(str(message["error"]))
        if "batch_bytes" in message:
            size = int(message["batch_bytes"])
            data = process.stdout.read(size)
            try:
                if len(data) != size:
                    raise EOFError
                return {"batch": marshal.loads(data)}
            except (EOFError, ValueError, TypeError) as exc:
                self.close()
                raise WorkerError("worker died") from exc
        return message

    def sheets(self) -> list[tuple[int, str]]:
        """The visible worksheets: (index, name)."""
        self._ask({"cmd": "sheets"})
        return [(int(index), str(name)) for index, name in self._answer()["sheets"]]

    def load(self, index: int) -> None:
        """Load a worksheet (the whole of it, in the child)."""
        if self.loaded == index:
            return
        self._ask({"cmd": "load", "index": index})
        answer = self._answer()
        self.loaded = index
        self.first_column = int(answer["first_column"])
        self.last_column = int(answer["last_column"])

    def rows(self, limit: int = 0) -> Iterator[list[Any]]:
        """The loaded worksheet's rows from row 1, from its first used column. With a limit
        the rows are read whole before the first is given, so the child stays usable however
        many the caller takes."""
        self._ask({"cmd": "rows", "limit": limit})
        rows = (row for chunk in self._stream("rows") for row in chunk)
        if limit:
            yield from list(rows)
            return
        yield from rows

    def check(self, job: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The loaded worksheet's rows checked and prepared in the child (the "check"
        command): each batch as `ledger.imports.check_in_worker` gives it."""
        self._ask({"cmd": "check", "job": job})
        yield from self._stream("batch")

    def _stream(self, key: str) -> Iterator[Any]:
        """The `key` of each message up to {"end": true}."""
        self._streaming = True
        finished = False
        try:
            while True:
                message = self._answer()
                if message.get("end"):
                    finished = True
                    return
                yield message[key]
        finally:
            self._streaming = False
            if not finished:  # left half-read: the rest of the stream is in the pipe
                self.close()

    @property
    def alive(self) -> bool:
        return self._process is not None

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _decode_hook(obj: dict[str, Any]) -> object:
    return _decode_special(obj) if "$" in obj and len(obj) == 2 else obj


if __name__ == "__main__":
    main()
