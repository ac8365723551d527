"""gunicorn as deploy/liaison-web.service runs it, on a loopback port, for the benches that drive the real server.

`gunicorn_command(port)` is the unit's ExecStart (its workers, threads, timeouts and limits) with this checkout's
gunicorn and the bench's port; `Server` runs it in its own process group and stops master and workers on every exit
path (also at interpreter exit); it reads the processes' CPU time and resident memory from /proc.
"""

import atexit
import os
import shlex
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "liaison-web.service"


def gunicorn_command(port: int) -> list[str]:
    """The unit's ExecStart, with this checkout's gunicorn and the bench's port."""
    text = UNIT.read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(x for x in text.splitlines() if x.startswith("ExecStart="))
    argv = shlex.split(line.removeprefix("ExecStart="))
    argv[0] = str(ROOT / ".venv" / "bin" / "gunicorn")
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    return argv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in its own process group; stop() is safe to call twice and runs at exit whatever happens."""

    def __init__(self, env: dict, port: int, log: Path):
        self.log = log.open("wb")
        self.proc = subprocess.Popen(
            gunicorn_command(port), cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        atexit.register(self.stop)
        for _ in range(120):
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/healthz",
                    headers={"Host": "liaison.bench", "X-Forwarded-Proto": "https"},
                )
                urllib.request.urlopen(request, timeout=2)
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer; see {log}")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=35)  # the unit's graceful timeout is 30 s
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def pids(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            children = []
        return [self.proc.pid, *map(int, children)]

    def cpu_s(self) -> float:
        """CPU seconds of the master, its live workers and the workers it reaped (max-requests restarts)."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
            if pid == self.proc.pid:
                total += int(fields[13]) + int(fields[14])  # cutime, cstime
        return total / tick

    def rss_mb(self) -> float:
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                continue
        return total / 1024
