"""Mutation testing with mutmut 3, one module at a time with that module's own tests.

    python scripts/mutation.py                 # every module in [tool.liaison.mutation], in order
    python scripts/mutation.py workdays months # just these
    python scripts/mutation.py --report [NAME ...]   # the table from the last runs, survivors listed
    python scripts/mutation.py --show NAME MUTANT    # the diff of one mutant
    python scripts/mutation.py --list

mutmut keeps one configuration ([tool.mutmut] in pyproject.toml) and one `mutants/` directory, and it throws
away every result when the test selection changes. So each module gets its own state directory
(var/mutation/<name>/, moved to `mutants/` while it runs and back afterwards) and its own `only_mutate` and test
selection, laid over [tool.mutmut] from its entry in [tool.liaison.mutation]. Inside a run mutmut maps each
mutated function to the tests that call it, so a mutant runs only those tests (with -x).

Runs pytest once per mutant: on SQLite the test database is a file kept between those runs
(LIAISON_TEST_DB_FILE, see tests/conftest.py, and --reuse-db), created afresh at the start of each module.
"""

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "var" / "mutation"
MUTANTS = ROOT / "mutants"


def modules() -> dict[str, dict]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return data["tool"]["liaison"]["mutation"]


class Workdir:
    """Put the module's saved state at mutants/ for the duration, and back afterwards."""

    def __init__(self, name: str):
        self.saved = STATE / name

    def __enter__(self):
        if MUTANTS.exists():
            sys.exit(f"{MUTANTS} exists: another mutation run is going on, or one was killed (move it away).")
        if self.saved.exists():
            self.saved.rename(MUTANTS)
        return self

    def __exit__(self, *exc):
        if MUTANTS.exists():
            self.saved.parent.mkdir(parents=True, exist_ok=True)
            MUTANTS.rename(self.saved)


def configure(name: str):
    """Load [tool.mutmut] and lay the module's files and tests over it (inside the process that runs mutmut)."""
    os.chdir(ROOT)
    import mutmut.configuration as configuration

    entry = modules()[name]
    cfg = configuration.config()
    cfg.only_mutate = list(entry["mutate"])
    cfg.pytest_add_cli_args_test_selection = list(entry["tests"])
    return cfg


def child(name: str, argv: list[str]) -> None:
    """Run one mutmut command for one module (called in a fresh interpreter by `main`)."""
    configure(name)
    import mutmut.__main__ as mm

    sys.argv = ["mutmut", *argv]
    mm.cli()


def summary(name: str) -> dict:
    configure(name)
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    counts: dict[str, int] = {}
    survivors: list[tuple[str, str]] = []
    for path in walk_mutatable_files():
        if not (MUTANTS / (str(path) + ".meta")).exists():
            continue
        m = SourceFileMutationData(path=path)
        m.load()
        for key, code in sorted(m.exit_code_by_key.items()):
            status = status_by_exit_code[code]
            counts[status] = counts.get(status, 0) + 1
            if status not in ("killed", "timeout", "caught by type check"):
                survivors.append((key, status))
    total = sum(counts.values())
    killed = counts.get("killed", 0) + counts.get("timeout", 0) + counts.get("caught by type check", 0)
    return {
        "module": name,
        "files": modules()[name]["mutate"],
        "mutants": total,
        "killed": killed,
        "survived": total - killed,
        "score": round(100 * killed / total, 1) if total else None,
        "counts": counts,
        "survivors": survivors,
    }


def in_child(name: str, *args: str) -> int:
    """Run `scripts/mutation.py --child NAME ARGS` with the module's state at mutants/."""
    cmd = [sys.executable, __file__, "--child", name, *args]
    env = dict(os.environ)
    db = STATE / "test-db.sqlite3"
    env["LIAISON_TEST_DB_FILE"] = str(db)
    env.setdefault("DATABASE_URL", f"sqlite:///{STATE / 'unused.sqlite3'}")
    with Workdir(name):
        return subprocess.call(cmd, cwd=ROOT, env=env)


def run(name: str) -> dict:
    STATE.mkdir(parents=True, exist_ok=True)
    # mutmut keeps a verdict once it has one, even after tests were added: every run starts from scratch.
    shutil.rmtree(STATE / name, ignore_errors=True)
    for suffix in ("", "-wal", "-shm"):  # a fresh schema per module; reused by every mutant of it
        (STATE / f"test-db.sqlite3{suffix}").unlink(missing_ok=True)
    code = in_child(name, "run", "--max-children", "1")
    if code:
        print(f"mutmut run for {name} exited {code}", file=sys.stderr)
    return report(name)


def report(name: str) -> dict:
    env_cmd = [sys.executable, __file__, "--summary", name]
    with Workdir(name):
        out = subprocess.run(env_cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    (STATE / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return result


def print_table(results: list[dict]) -> None:
    print(f"{'module':<22} {'mutants':>7} {'killed':>7} {'survived':>8} {'score':>7}")
    for r in results:
        score = "-" if r["score"] is None else f"{r['score']:.1f}%"
        print(f"{r['module']:<22} {r['mutants']:>7} {r['killed']:>7} {r['survived']:>8} {score:>7}")
    for r in results:
        for key, status in r["survivors"]:
            print(f"  {status:<10} {key}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        child(argv[1], argv[2:])
        return 0
    if argv[:1] == ["--summary"]:
        print(json.dumps(summary(argv[1])))
        return 0
    if argv[:1] == ["--list"]:
        for name, entry in modules().items():
            print(f"{name}: {' '.join(entry['mutate'])}  <-  {' '.join(entry['tests'])}")
        return 0
    if argv[:1] == ["--show"]:
        return in_child(argv[1], "show", argv[2])
    if argv[:1] == ["--report"]:
        names = argv[1:] or [n for n in modules() if (STATE / n).exists()]
        print_table([report(n) for n in names])
        return 0
    names = argv or list(modules())
    unknown = [n for n in names if n not in modules()]
    if unknown:
        sys.exit(f"unknown module(s) {unknown}; see --list")
    print_table([run(n) for n in names])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
