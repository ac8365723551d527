"""Benchmark: the resident pages and the county dashboard on a weak rural link, and a 3 MB photo submission.

Runnable alone: `.venv/bin/python bench/weak_link.py [--dir /tmp/liaison-weak-link] [--port 8765]`. Builds (or
reuses) the demo on its own SQLite database under --dir (migrate, loaddemo), runs collectstatic, serves it with
gunicorn as `make run` does (gthread, 2 workers × 4 threads, DEBUG off: hashed, compressed static files), and drives
Chromium (/usr/bin/chromium through Playwright) at 375×812 with a 4× CPU slowdown and an emulated link of 400 ms
latency, 400 kbit/s down and 200 kbit/s up. For the QR page, the tracking page and the county dashboard it
measures bytes over the wire, requests, first contentful paint and the load event, cold (empty cache) and warm (a
revisit); then the time from 提交 to the acknowledgement for a 3 MB phone photo. Writes its section of
docs/benchmarks.md and prints one JSON line last.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECTION = "Weak link (bench/weak_link.py)"
CHROMIUM = os.environ.get("LIAISON_CHROMIUM", "/usr/bin/chromium")
LINK = {"latency_ms": 400, "down_kbit": 400, "up_kbit": 200, "cpu_slowdown": 4, "viewport": (375, 812)}
STATION = "ST341722100200"  # 缘溪村 (liaison/demo/cast.py)
COUNTY = "341722"  # 石台县
COUNTY_USER = "shitai_staff"
COUNTY_NOTE = """
The county dashboard's cold load is mostly ECharts, now our own build with only the bar, line, pie and map
charts (frontend/echarts-custom.js: 648 KB instead of the full 1.1 MB); its figures (text) paint first, before
the charts.
"""
TARGETS = {"qr": (3000, 1000), "track": (3000, 1000), "county": (8000, None)}  # cold, warm load (ms)


def prepare(directory: Path) -> dict:
    directory.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
        "LIAISON_MEDIA_ROOT": str(directory / "media"),
        "LIAISON_INSIGHT_DIR": str(directory / "insight"),
        "LIAISON_COOKIE_SECURE": "0",
        "LIAISON_DEBUG": "0",
    }
    py = str(ROOT / ".venv" / "bin" / "python")
    steps = [["migrate", "--noinput", "-v", "0"], ["loaddemo", "--if-empty"]]
    if not static_is_current():
        steps.append(["collectstatic", "--noinput", "-v", "0"])  # about a minute: every file compressed twice
    for args in steps:
        subprocess.run([py, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()
    return env


def static_is_current() -> bool:
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
    return manifest.stat().st_mtime >= newest


def serve(env: dict, port: int) -> subprocess.Popen:
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    command = [gunicorn, "liaison.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    command += ["--worker-class", "gthread", "--threads", "4", "--error-logfile", "-", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/track/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("gunicorn did not answer")


class Meter:
    """Bytes (encoded, over the wire) and requests of one page load, from the DevTools protocol."""

    def __init__(self, cdp):
        self.sent, self.finished = set(), {}
        cdp.on("Network.requestWillBeSent", lambda e: self.sent.add(e["requestId"]))
        cdp.on("Network.loadingFinished", lambda e: self.finished.__setitem__(e["requestId"], e["encodedDataLength"]))

    def reset(self):
        self.sent.clear()
        self.finished.clear()

    def figures(self) -> dict:
        wire = [n for n in self.finished.values() if n > 0]
        return {"kb": round(sum(wire) / 1024, 1), "requests": len(self.sent), "network_requests": len(wire)}


def weak_page(browser, *, throttled=True):
    width, height = LINK["viewport"]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    meter = Meter(cdp)

    def throttle(on: bool):
        conditions = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
        if on:
            conditions = {
                "offline": False,
                "latency": LINK["latency_ms"],
                "downloadThroughput": LINK["down_kbit"] * 1000 // 8,
                "uploadThroughput": LINK["up_kbit"] * 1000 // 8,
            }
        cdp.send("Network.emulateNetworkConditions", conditions)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": LINK["cpu_slowdown"] if on else 1})

    return context, page, cdp, meter, throttle


def timing(page) -> dict:
    return page.evaluate(
        """() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const fcp = performance.getEntriesByName('first-contentful-paint')[0];
          return {load_ms: Math.round(nav.loadEventEnd), fcp_ms: fcp ? Math.round(fcp.startTime) : null};
        }"""
    )


def measure_page(browser, url: str, login=None) -> dict:
    context, page, cdp, meter, throttle = weak_page(browser)
    try:
        if login:
            login(page)
        cdp.send("Network.clearBrowserCache")
        throttle(True)
        result = {}
        for visit in ("cold", "warm"):
            page.goto("about:blank")
            meter.reset()
            page.goto(url, wait_until="load", timeout=180_000)
            result[visit] = {**meter.figures(), **timing(page)}
        return result
    finally:
        context.close()


def measure_submission(browser, base: str, photo: Path) -> dict:
    context, page, cdp, meter, throttle = weak_page(browser)
    try:
        throttle(True)
        page.goto(f"{base}/s/{STATION}/", wait_until="load", timeout=180_000)
        page.fill("#id_content", "村口的桥栏杆断了两根，孩子上学经过很危险，请尽快修好。（测速）")
        page.set_input_files("#id_photos", str(photo))
        page.wait_for_timeout(3500)  # the form's fill-time guard (MIN_FILL_SECONDS)
        posted = []  # the Content-Length the browser sent: the photo as shrunk on the phone, with the text

        def sent(event):
            length = {k.lower(): v for k, v in event["headers"].items()}.get("content-length")
            if length:
                posted.append(int(length))

        cdp.on("Network.requestWillBeSentExtraInfo", sent)
        started = time.monotonic()
        page.click("button:has-text('提交')")
        page.wait_for_selector("#upload-progress:not([hidden])", timeout=60_000)
        progress_s = time.monotonic() - started
        page.wait_for_selector("text=已收到，谢谢您", timeout=300_000)
        total_s = time.monotonic() - started
        return {
            "photo_mb": round(photo.stat().st_size / 1024 / 1024, 2),
            "uploaded_kb": [round(n / 1024) for n in posted],
            "progress_shown_s": round(progress_s, 1),
            "submit_s": round(total_s, 1),
            "acknowledged": True,
        }
    finally:
        context.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def report(pages: dict, submission: dict, load: str) -> str:
    rows = ["| page | visit | KB over the wire | requests (network) | first paint ms | load ms | target ms |"]
    rows.append("|---|---|---:|---:|---:|---:|---:|")
    names = {"qr": "QR page /s/…/", "track": "tracking page /track/", "county": "county dashboard (石台县)"}
    for key, visits in pages.items():
        for visit, f in visits.items():
            target = TARGETS[key][0 if visit == "cold" else 1]
            rows.append(
                f"| {names[key]} | {visit} | {f['kb']} | {f['requests']} ({f['network_requests']}) | "
                f"{f['fcp_ms'] or '–'} | {f['load_ms']} | {target or '–'} |"
            )
    link = LINK
    return f"""Chromium {link["viewport"][0]}×{link["viewport"][1]}, {link["cpu_slowdown"]}× CPU slowdown, \
{link["latency_ms"]} ms latency, {link["down_kbit"]} kbit/s down, {link["up_kbit"]} kbit/s up (DevTools emulation);
gunicorn gthread (2 workers × 4 threads), DEBUG off, static files hashed with gzip/Brotli copies; the demo data.
Cold: empty browser cache; warm: a revisit (–: Chrome reported no first paint). One run each; the machine was shared while measuring ({load}).

{chr(10).join(rows)}

3 MB phone photo ({submission["photo_mb"]} MB, 4000×3000) on the QR page: shrunk on the phone and posted as \
{", ".join(map(str, submission["uploaded_kb"]))} KB, progress shown after {submission["progress_shown_s"]} s, acknowledged in Chinese after **{submission["submit_s"]} s** from 提交.
{COUNTY_NOTE}"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="/tmp/liaison-weak-link")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    directory = Path(args.dir)
    env = prepare(directory)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(env, port)
    from playwright.sync_api import sync_playwright

    from liaison.demo.cast import DEMO_PASSWORD
    from tests.e2e.photos import phone_photo

    photo = directory / "IMG_0001.jpg"
    photo.write_bytes(phone_photo())

    def login(page):
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", COUNTY_USER)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button:has-text('登录')")
        page.wait_for_url(f"{base}/", timeout=60_000)

    load = "{:.1f} / {:.1f} / {:.1f}".format(*os.getloadavg())
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            pages = {
                "qr": measure_page(browser, f"{base}/s/{STATION}/"),
                "track": measure_page(browser, f"{base}/track/"),
                "county": measure_page(browser, f"{base}/reports/region/{COUNTY}/", login=login),
            }
            submission = measure_submission(browser, base, photo)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    if not args.no_record:
        from bench._report import record

        record(SECTION, report(pages, submission, f"load average {load}"))
    summary = {"link": LINK, "load_average": load, "submission": submission}
    for key, visits in pages.items():
        for visit, figures in visits.items():
            summary[f"{key}_{visit}"] = figures
    print(json.dumps(summary, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
