"""A minimal terminal for timing a Textual app: a pty, a reader thread and frame detection.

The app runs on the slave side of a pseudo-terminal of a fixed size. A thread reads everything the
app writes, stamps each chunk with the time it arrived, and replies to the app's query for
synchronized output (DEC mode 2026) the way a terminal that supports it does. From then on Textual
ends every frame with SYNC_END, so "the frame is written" means SYNC_END has arrived on the master.
"""

from __future__ import annotations

import bisect
import fcntl
import os
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

SYNC_QUERY = b"\x1b[?2026$p"
# "Mode 2026 is supported and currently reset", the reply of terminals that support it.
SYNC_REPLY = b"\x1b[?2026;2$y"
SYNC_END = b"\x1b[?2026l"


class TerminalTimeout(Exception):
    """The app wrote no frame with the expected text in time."""


@dataclass(frozen=True)
class Exit:
    """The end of the app process: its exit status and peak resident memory in bytes."""

    status: int
    max_rss: int


class PtyTerminal:
    """Run one program in a pseudo-terminal and record its output with arrival times."""

    def __init__(
        self, argv: Sequence[str], *, env: dict[str, str], columns: int = 160, lines: int = 48
    ) -> None:
        self.argv = list(argv)
        self.env = env
        self.columns = columns
        self.lines = lines
        self.output = bytearray()
        self._chunk_ends: list[int] = []
        self._chunk_times: list[float] = []
        self._changed = threading.Condition()
        self._closed = False
        self._process: subprocess.Popen[bytes] | None = None
        self._master = -1
        self._reader: threading.Thread | None = None
        self.started_at = 0.0

    def start(self) -> None:
        """Start the program; `started_at` is the moment just before the process is created."""
        master, slave = os.openpty()
        size = struct.pack("HHHH", self.lines, self.columns, 0, 0)
        fcntl.ioctl(slave, termios.TIOCSWINSZ, size)
        self._master = master
        self.started_at = time.perf_counter()
        self._process = subprocess.Popen(
            self.argv, stdin=slave, stdout=slave, stderr=slave, env=self.env, start_new_session=True
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def press(self, keys: bytes) -> tuple[int, float]:
        """Write the bytes of a key press; return the output length and the time just before."""
        with self._changed:
            offset = len(self.output)
        moment = time.perf_counter()
        os.write(self._master, keys)
        return offset, moment

    def wait_frame(self, needles: Sequence[bytes], since: int, timeout: float) -> float:
        """Return the arrival time of the first frame end after every needle, in order, from `since`."""
        deadline = time.perf_counter() + timeout
        with self._changed:
            while True:
                end = self._frame_end_after(needles, since)
                if end is not None:
                    index = bisect.bisect_left(self._chunk_ends, end)
                    return self._chunk_times[index]
                remaining = deadline - time.perf_counter()
                if self._closed or remaining <= 0:
                    shown = ", ".join(repr(needle.decode(errors="replace")) for needle in needles)
                    state = "exited" if self._closed else f"wrote nothing matching within {timeout:.0f} s"
                    raise TerminalTimeout(f"waiting for a frame with {shown}: the app {state}")
                self._changed.wait(remaining)

    def wait_quiet(self, quiet: float, limit: float) -> None:
        """Wait until the app has written nothing for `quiet` seconds, or `limit` seconds passed."""
        deadline = time.perf_counter() + limit
        with self._changed:
            while not self._closed:
                last = self._chunk_times[-1] if self._chunk_times else self.started_at
                now = time.perf_counter()
                if now - last >= quiet or now >= deadline:
                    return
                self._changed.wait(min(quiet - (now - last), deadline - now))

    def finish(self, quit_keys: bytes, timeout: float = 30.0) -> Exit:
        """Press the quit keys, wait for the process to end and return its status and peak memory."""
        assert self._process is not None
        os.write(self._master, quit_keys)
        timer = threading.Timer(timeout, self._process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(self._process.pid, 0)
        finally:
            timer.cancel()
        self._process.returncode = os.waitstatus_to_exitcode(status)
        if self._reader is not None:
            self._reader.join(timeout=5)
        os.close(self._master)
        return Exit(self._process.returncode, usage.ru_maxrss * 1024)

    def kill(self) -> None:
        """End the program after a failure, without waiting for a clean exit."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def _frame_end_after(self, needles: Sequence[bytes], since: int) -> int | None:
        position = since
        for needle in needles:
            found = self.output.find(needle, position)
            if found < 0:
                return None
            position = found + len(needle)
        found = self.output.find(SYNC_END, position)
        return None if found < 0 else found + len(SYNC_END)

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except OSError:
                chunk = b""
            arrived = time.perf_counter()
            with self._changed:
                if not chunk:
                    self._closed = True
                    self._changed.notify_all()
                    return
                # Look a little before the chunk too, in case the query was split across reads.
                tail_start = max(0, len(self.output) - len(SYNC_QUERY) + 1)
                self.output += chunk
                self._chunk_ends.append(len(self.output))
                self._chunk_times.append(arrived)
                if SYNC_QUERY in self.output[tail_start:]:
                    os.write(self._master, SYNC_REPLY)
                self._changed.notify_all()
