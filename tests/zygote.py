"""The platform's processes, forked from one that has already imported it.

Each `linli run` and `python -m services.<name>` the suite starts used to spend about 4.5 CPU
seconds importing the services, FastAPI's analysis of 400 routes among them, before it did
anything a test looks at; a run starts about seventy (measured: `python -X importtime -c "import
linli.embedded"`, and a sampler of /proc over a whole run, 3 December 2026). A zygote, one per
pytest worker and started on first use, imports them once and forks a child per command. The
child runs the same entry point (`linli.cli.main`, or the service module as `__main__`) with its
own arguments, environment, working directory and log, in its own session, and receives signals
as any process does; only its exit status travels through the zygote, which is its parent. The
newcomer's story, which is about the command itself, still executes `python -m linli.cli run`
(`Embedded.forked = False`).

Protocol: one JSON line each way per connection on a Unix socket; `spawn` answers the pid,
`status` the exit code (null while it runs)."""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import json
import os
import runpy
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# What the entry points import before they serve: the zygote loads it so its children need not.
PRELOAD = (
    "linli.cli",
    "linli.embedded",
    "linli.apps",
    "services.gateway.app",
    "shared.runner",
    "shared.migrate",
    "uvicorn",
    "aiokafka",
    "asyncpg",
    "alembic.command",
)


def entry(argv: list[str]) -> list[str] | None:
    """The command a zygote can start for `argv`, or None: `python -m linli.cli ...` and
    `python -m services.<name>` are the platform; anything else is executed as usual."""
    platform = len(argv) >= 3 and argv[:2] == [sys.executable, "-m"]
    if platform and (argv[2] == "linli.cli" or argv[2].startswith("services.")):
        return argv[2:]
    return None


def _child(command: list[str], env: dict[str, str], cwd: str, log: str) -> int:
    os.setsid()
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    os.close(null)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    module, args = command[0], command[1:]
    sys.argv = [module, *args]
    try:
        if module == "linli.cli":
            from linli.cli import main

            return main(args)
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        return 1


def serve(path: str) -> None:
    """The zygote: preload, then fork a child per `spawn` until stdin closes (its worker ended)."""
    sys.path.insert(0, str(ROOT))
    for module in PRELOAD:
        importlib.import_module(module)
    # Objects that exist now are shared with every child; frozen, the collector never touches
    # (and so never copies) their pages.
    gc.collect()
    gc.freeze()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    codes: dict[int, int] = {}
    living: set[int] = set()

    def reap() -> None:
        while living:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            living.discard(pid)
            codes[pid] = os.waitstatus_to_exitcode(status)

    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    try:
        while True:
            for key, _ in selector.select():
                if key.fd == sys.stdin.fileno():
                    if not sys.stdin.readline():
                        return
                elif key.fd == wake_r:
                    os.read(wake_r, 512)
                    reap()
                else:
                    conn, _ = listener.accept()
                    with conn, conn.makefile("rw", encoding="utf-8") as stream:
                        request = json.loads(stream.readline())
                        reap()
                        if request["op"] == "spawn":
                            pid = os.fork()
                            if pid == 0:
                                selector.close()
                                listener.close()
                                os.close(wake_r)
                                os.close(wake_w)
                                signal.set_wakeup_fd(-1)
                                for sig in (signal.SIGCHLD, signal.SIGINT):
                                    signal.signal(sig, signal.SIG_DFL)
                                gc.unfreeze()
                                code = 1
                                try:
                                    code = _child(request["command"], request["env"], request["cwd"], request["log"])
                                finally:
                                    with contextlib.suppress(BaseException):
                                        sys.stdout.flush()
                                        sys.stderr.flush()
                                    os._exit(code)
                            living.add(pid)
                            answer: dict[str, Any] = {"pid": pid}
                        else:
                            answer = {"code": codes.get(request["pid"])}
                        stream.write(json.dumps(answer) + "\n")
    finally:
        for pid in living:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


class Zygote:
    """The client: starts the zygote on first use, and stops it with the worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._path = ""

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                folder = tempfile.mkdtemp(prefix="linli-zygote-")
                self._path = os.path.join(folder, "socket")
                self._proc = subprocess.Popen(
                    [sys.executable, "-m", "tests.zygote", self._path],
                    cwd=ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    start_new_session=True,
                )
                assert self._proc.stdout is not None
                if self._proc.stdout.readline().strip() != "ready":
                    raise RuntimeError("the zygote did not start (its error is above)")
                atexit.register(self._proc.wait, 30)
                atexit.register(self._proc.stdin.close)  # type: ignore[union-attr]
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(self._path)
            with conn.makefile("rw", encoding="utf-8") as stream:
                stream.write(json.dumps(request) + "\n")
                stream.flush()
                answer: dict[str, Any] = json.loads(stream.readline())
                return answer

    def spawn(self, command: list[str], env: dict[str, str], cwd: Path, log: Path) -> Forked:
        pid = self._ask({"op": "spawn", "command": command, "env": env, "cwd": str(cwd), "log": str(log)})["pid"]
        return Forked(self, command, pid)

    def status(self, pid: int) -> int | None:
        code: int | None = self._ask({"op": "status", "pid": pid})["code"]
        return code


ZYGOTE = Zygote()


class Forked:
    """What the tests use of `subprocess.Popen`, for a child of the zygote."""

    def __init__(self, zygote: Zygote, command: list[str], pid: int) -> None:
        self._zygote = zygote
        self.args = command
        self.pid = pid
        self.returncode: int | None = None
        # Readable once the process has ended, though it is not our child (Linux 5.3+).
        self._pidfd = os.pidfd_open(pid)

    def _ended(self, timeout: float | None) -> bool:
        with selectors.DefaultSelector() as selector:
            selector.register(self._pidfd, selectors.EVENT_READ)
            return bool(selector.select(timeout))

    def poll(self) -> int | None:
        # Only an ended process needs the zygote: it reaps it when asked, so one question does.
        if self.returncode is None and self._ended(0):
            self.returncode = self._zygote.status(self.pid)
            if self.returncode is not None:
                os.close(self._pidfd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and not self._ended(timeout):
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        code = self.poll()
        assert code is not None
        return code

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def start(
    argv: list[str], env: dict[str, str], cwd: Path, log: Path, fork: bool = True
) -> Forked | subprocess.Popen[bytes]:
    """`argv` as a process logging to `log` (appended), forked from the zygote when it can be
    and `fork` allows."""
    command = entry(argv)
    if command is not None and fork:
        return ZYGOTE.spawn(command, env, cwd, log)
    with log.open("ab") as out:
        return subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C on pytest does not reach it; the tests stop it
        )


if __name__ == "__main__":
    serve(sys.argv[1])
