"""Parse files in a child process with a memory limit and a timeout.

No input file may take the loader down, nor the app process that calls etl.load.load_files for an
upload: calamine can panic (a Rust panic is a BaseException in Python) or, on a hostile file of a
few KB, allocate until the process aborts (SIGABRT; a failed Rust allocation cannot be caught).
So reading and normalising — everything that looks at a file's bytes — happens in a child
process (`python -m etl.worker`) whose address space is limited (`[ledger] max_read_memory_mb`);
the parent waits at most `[ledger] max_read_seconds`. A child that dies or overruns costs only
its file: the parent refuses that file and starts a new child for the next one.

The parent writes one request at a time (pickled, length-prefixed) to the child's stdin and
reads the answer from the child's original stdout; the child points its own fd 1 at stderr, and
its stderr is discarded, so nothing a library prints (xlrd's warnings, calamine's messages) can
reach the loader's output (`--json` prints exactly one JSON object). Data frames in an answer
travel as Arrow IPC files in a folder the parent owns (in /dev/shm where there is one): for a
200,000-row ledger that is a quarter of a second against three quarters through the pipe.
"""

from __future__ import annotations

import io
import os
import pickle
import resource
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from etl.errors import RefusedFile
from warehouse.settings import ROOT, settings

_HEADER = struct.Struct("<Q")
MEMORY_MESSAGE = ("读取该文件所需内存超过上限{mb}MB（设置项 ledger.max_read_memory_mb），文件可能已损坏或结构异常，"
                  "未入库。请用Excel或WPS打开检查，“另存为”Excel工作簿（.xlsx）后再上传；如果打不开，请向报送单位索取原文件。")
TIME_MESSAGE = ("读取该文件超过{seconds}秒仍未完成（设置项 ledger.max_read_seconds），文件可能已损坏或结构异常，未入库。"
                "请用Excel或WPS打开检查，“另存为”Excel工作簿（.xlsx）后再上传；文件确实很大的，请拆分后分别上传。")
CRASH_MESSAGE = ("读取该文件时读取程序异常退出（文件可能已损坏或结构异常），未入库。请用Excel或WPS打开检查，"
                 "“另存为”Excel工作簿（.xlsx）后再上传；如果打不开，请向报送单位索取原文件。")
BUG_MESSAGE = "读取时出现意外错误（{error}），文件未入库。请用Excel或WPS打开后“另存为”.xlsx再试；仍不行的，请将文件发给系统管理员。"


@dataclass(frozen=True)
class Job:
    path: str
    name: str
    as_of: date | None
    scope: frozenset[str] | None       # district codes the uploader may write; None: all


def _limits() -> tuple[int, float]:
    s = settings()
    return int(s.get("ledger", "max_read_memory_mb")), float(s.get("ledger", "max_read_seconds"))


def _send(stream, obj, exchange: Path | None = None) -> None:
    buffer = io.BytesIO()
    _FramePickler(buffer, exchange).dump(obj)
    data = buffer.getvalue()
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


class _FramePickler(pickle.Pickler):
    """Writes each data frame to an IPC file in `exchange` and pickles its name instead."""

    def __init__(self, file, exchange: Path | None):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.exchange, self.count = exchange, 0

    def persistent_id(self, obj):
        if self.exchange is None or not isinstance(obj, pl.DataFrame):
            return None
        self.count += 1
        path = self.exchange / f"{os.getpid()}-{self.count}.arrow"
        obj.write_ipc(path, compression="uncompressed")
        return str(path)


class _FrameUnpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        frame = pl.read_ipc(pid)
        os.unlink(pid)
        return frame


def _exchange_folder() -> Path:
    shm = Path("/dev/shm")
    return Path(tempfile.mkdtemp(prefix="ledger-parse-", dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None))


class ParseWorker:
    """The parent's side: one child at a time, started on first use, replaced when it dies."""

    def __init__(self):
        self.proc: subprocess.Popen | None = None
        self._returncode: int | None = None      # how the last child that was ended ended
        self.exchange: Path | None = None

    def start(self) -> None:
        if self.proc is not None:
            return
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
        self.exchange = self.exchange or _exchange_folder()
        self.proc = subprocess.Popen([sys.executable, "-m", "etl.worker", str(self.exchange)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=str(ROOT), env=env)

    def parse(self, job: Job):
        """The parsed file, or the RefusedFile that says why it cannot be used."""
        memory_mb, seconds = _limits()
        self.start()
        try:
            _send(self.proc.stdin, job)
            answer = self._receive(time.monotonic() + seconds)
        except TimeoutError:
            self._kill()
            return RefusedFile(TIME_MESSAGE.format(seconds=int(seconds)))
        except (EOFError, OSError, pickle.UnpicklingError):
            self._kill()
            return RefusedFile(MEMORY_MESSAGE.format(mb=memory_mb) if self._died_of_memory()
                               else CRASH_MESSAGE)
        status, value = answer
        if status == "parsed":
            return value
        if status == "memory":
            return RefusedFile(MEMORY_MESSAGE.format(mb=memory_mb))
        return RefusedFile(value if status == "refused" else BUG_MESSAGE.format(error=value))

    def _receive(self, deadline: float):
        fd = self.proc.stdout.fileno()
        header = self._read_exactly(fd, _HEADER.size, deadline)
        return _FrameUnpickler(io.BytesIO(self._read_exactly(fd, _HEADER.unpack(header)[0], deadline))).load()

    @staticmethod
    def _read_exactly(fd: int, n: int, deadline: float) -> bytes:
        chunks, left = [], n
        while left:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimeoutError
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _died_of_memory(self) -> bool:
        # an allocation that fails under RLIMIT_AS aborts the Rust side (SIGABRT) or kills it
        return self._returncode in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS, -signal.SIGKILL)

    def _kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        self._returncode = proc.wait()
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if self.exchange is not None:
            shutil.rmtree(self.exchange, ignore_errors=True)
            self.exchange = None
        if proc is None:
            return
        try:
            proc.stdin.close()              # the child ends when its input ends
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        proc.stdout.close()


# --- the child ---------------------------------------------------------------------------------

def _limit_self(memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))       # an abort must not leave a core file
    try:                                                  # die with the parent (Linux)
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)         # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _answer(job: Job, context) -> tuple[str, object]:
    from etl.parse import parse_file

    try:
        return "parsed", parse_file(Path(job.path), context, as_of=job.as_of, file_name=job.name, scope=job.scope)
    except RefusedFile as exc:
        return "refused", str(exc)
    except MemoryError:
        return "memory", None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:      # a reader bug or panic: a refusal, never a traceback
        return "error", type(exc).__name__


def main() -> int:
    memory_mb, _ = _limits()
    _limit_self(memory_mb)
    exchange = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)                         # whatever a library prints goes where stderr goes
    sys.stdout = sys.stderr
    requests = sys.stdin.buffer
    from etl.parse import ParseContext

    context = ParseContext.load()
    while True:
        header = requests.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return 0
        job = pickle.loads(requests.read(_HEADER.unpack(header)[0]))
        answer = _answer(job, context)
        try:
            _send(answers, answer, exchange)
        except (pickle.PicklingError, TypeError, ValueError, OSError) as exc:
            _send(answers, ("error", type(exc).__name__))


if __name__ == "__main__":
    sys.exit(main())
