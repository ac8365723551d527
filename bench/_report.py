"""Writing benchmark figures into docs/benchmarks.md, one section per benchmark.

Each benchmark owns one `## <title>` section; re-running it replaces that section only and
stamps it with the date and the machine, because figures mean little without the hardware.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"
INTRO = """# Benchmarks

Figures measured by the scripts in `bench/`. Each section is rewritten by its script when it
runs (`.venv/bin/python bench/<name>.py`), stamped with the date and the machine it ran on.
"""


def machine() -> str:
    """CPU model, cores, RAM, OS and Python version in one line."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    try:
        os_release = Path("/etc/os-release").read_text()
        match = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', os_release, re.MULTILINE)
        if match:
            system = f"{match.group(1)} (kernel {platform.release()})"
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{ram}, {system}, Python {platform.python_version()}"


def record(section_title: str, body_markdown: str) -> None:
    """Replace (or append) the section `## {section_title}` of docs/benchmarks.md."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else INTRO
    stamp = f"_Measured {datetime.date.today().isoformat()} on {machine()}._"
    section = f"## {section_title}\n\n{stamp}\n\n{body_markdown.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(section_title)}[ \t]*\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    REPORT.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
