"""A bounded closed-loop load generator for bench/intake.py (aiohttp on one asyncio loop).

`run(scenario, target, concurrency, duration)` starts `concurrency` virtual clients; each keeps at most one request
in flight until the window closes, then the requests still in flight finish (their latencies and answers count,
their completions after the window do not count towards throughput). Every request goes to gunicorn directly with
the headers nginx would add in production (deploy/nginx-proxy.conf): Host, X-Forwarded-Proto https, and
X-Forwarded-For with the resident's own address — each submission comes from its own address, as residents'
phones do, so the per-address limits count as in production without being raised.

Scenarios:
- `ceiling`: GET /healthz (a Django view through the whole middleware stack, no database).
- `qr`: the station's QR page as a phone uses it: GET the form (CSRF cookie and token, the form's idempotency key
  and fill-time token), then POST it (multipart, as the browser sends it) no sooner than the form's minimum fill
  time (3 s). A client that has no form old enough fetches another one meanwhile, so it never idles.
- `api`: POST /api/v1/opinions with an integration key (a hotline system registering calls), Idempotency-Key.
- `api_public`: POST /api/v1/public/stations/<code>/opinions (a resident app), Idempotency-Key.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field

import aiohttp

HOST = "liaison.bench"
ORIGIN = f"https://{HOST}"
MIN_FILL_SECONDS = 3.05  # liaison.opinions.forms.MIN_FILL_SECONDS, with a margin
TIMEOUT = aiohttp.ClientTimeout(total=60)  # nginx's proxy_read_timeout
FORM_FIELD = re.compile(r'name="(csrfmiddlewaretoken|key|token)" value="([^"]*)"')
TRACKING_CODE = re.compile(r"查询码：<strong[^>]*>([A-Z0-9]+)</strong>")
ALERT = re.compile(r"(?:alert-danger|invalid-feedback)[^>]*>(.*?)</div>", re.DOTALL)
_addresses = itertools.count(1)


def resident_address() -> str:
    """A fresh address in 10.0.0.0/8 for each simulated resident."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def proxy_headers(address: str) -> dict:
    return {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": address}


@dataclass
class Target:
    base: str  # http://127.0.0.1:<port>
    stations: list[str]
    api_token: str
    texts: list[tuple[str, str]]
    counter: itertools.count = field(default_factory=itertools.count)

    def station(self, n: int) -> str:
        return self.stations[n % len(self.stations)]

    def text(self, n: int) -> tuple[str, str]:
        title, content = self.texts[n % len(self.texts)]
        return f"{title}（{n}）", content


@dataclass
class Tally:
    window_end: float = 0.0
    latencies: dict = field(default_factory=dict)  # kind → [ms]
    in_window: Counter = field(default_factory=Counter)  # kind → completed inside the window
    errors: Counter = field(default_factory=Counter)  # "kind: reason" → n
    samples: dict = field(default_factory=dict)  # "kind: reason" → first answer's text
    acknowledged: list = field(default_factory=list)  # (scenario, code, idempotency key, station)

    def done(self, kind: str, start: float) -> None:
        end = time.perf_counter()
        self.latencies.setdefault(kind, []).append((end - start) * 1000)
        if end <= self.window_end:
            self.in_window[kind] += 1

    def fail(self, kind: str, reason: str, text: str = "") -> None:
        self.errors[f"{kind}: {reason}"] += 1
        self.samples.setdefault(f"{kind}: {reason}", text[:300])


async def _request(session, tally: Tally, kind: str, method: str, url: str, *, expect: int, **kwargs):
    """(body text, response cookies) for an answer with the expected status; None (counted as an error) else."""
    start = time.perf_counter()
    try:
        async with session.request(method, url, allow_redirects=False, **kwargs) as response:
            body = await response.text()
            status, cookies = response.status, response.cookies
    except (TimeoutError, aiohttp.ClientError) as exc:
        tally.done(kind, start)
        tally.fail(kind, type(exc).__name__, str(exc))
        return None
    tally.done(kind, start)
    if status != expect:
        detail = " / ".join(re.sub(r"<[^>]+>|\s+", " ", m).strip() for m in ALERT.findall(body)[:3])
        tally.fail(kind, f"HTTP {status}", detail or body)
        return None
    return body, cookies


async def _ceiling(session, target: Target, tally: Tally, deadline: float) -> None:
    headers = proxy_headers("10.255.0.1")
    while time.perf_counter() < deadline:
        answer = await _request(
            session, tally, "GET /healthz", "GET", f"{target.base}/healthz", expect=200, headers=headers
        )
        if answer is not None and answer[0] != "ok":
            tally.fail("GET /healthz", "unexpected body", answer[0])


async def _qr_form(session, target: Target, tally: Tally):
    n = next(target.counter)
    code, address = target.station(n), resident_address()
    url = f"{target.base}/s/{code}/"
    answer = await _request(session, tally, "GET /s/<code>/", "GET", url, expect=200, headers=proxy_headers(address))
    if answer is None:
        return None
    body, cookies = answer
    fields = dict(FORM_FIELD.findall(body))
    csrf = cookies.get("csrftoken")
    if csrf is None or set(fields) != {"csrfmiddlewaretoken", "key", "token"}:
        tally.fail("GET /s/<code>/", "form without its tokens", body)
        return None
    return time.perf_counter() + MIN_FILL_SECONDS, n, code, address, csrf.value, fields


async def _qr_post(session, target: Target, tally: Tally, form) -> None:
    _ready, n, code, address, csrf, fields = form
    title, content = target.text(n)
    data = aiohttp.FormData(default_to_multipart=True)
    for name, value in [
        *fields.items(),
        ("title", title),
        ("content", content),
        ("category", ""),
        ("resident_name", f"群众{n}"),
        ("resident_phone", f"139{n:08d}"),
        ("website", ""),
    ]:
        data.add_field(name, value)
    headers = {
        **proxy_headers(address),
        "Cookie": f"csrftoken={csrf}",
        "Origin": ORIGIN,
        "Referer": f"{ORIGIN}/s/{code}/",
    }
    url = f"{target.base}/s/{code}/"
    answer = await _request(session, tally, "POST /s/<code>/", "POST", url, expect=200, data=data, headers=headers)
    if answer is None:
        return
    found = TRACKING_CODE.search(answer[0])
    if found is None:
        tally.fail("POST /s/<code>/", "no tracking code in the answer", answer[0])
        return
    tally.acknowledged.append(("qr", found.group(1), fields["key"], code))


async def _qr(session, target: Target, tally: Tally, deadline: float) -> None:
    forms = deque()
    while time.perf_counter() < deadline:
        if forms and forms[0][0] <= time.perf_counter():
            await _qr_post(session, target, tally, forms.popleft())
        elif len(forms) < 32:
            form = await _qr_form(session, target, tally)
            if form is not None:
                forms.append(form)
        else:
            await asyncio.sleep(max(0.0, forms[0][0] - time.perf_counter()))


async def _api(session, target: Target, tally: Tally, deadline: float) -> None:
    kind = "POST /api/v1/opinions"
    while time.perf_counter() < deadline:
        n = next(target.counter)
        title, content = target.text(n)
        key = uuid.uuid4().hex
        code = target.station(n)
        payload = {"station": code, "channel": "phone", "title": title, "content": content}
        payload |= {"resident_name": f"来电群众{n}", "resident_phone": f"138{n:08d}"}
        headers = {**proxy_headers("10.254.0.1"), "Authorization": f"Bearer {target.api_token}", "Idempotency-Key": key}
        answer = await _request(
            session, tally, kind, "POST", f"{target.base}/api/v1/opinions", expect=201, json=payload, headers=headers
        )
        if answer is not None:
            _record_json(tally, kind, "api", answer[0], key, code)


async def _api_public(session, target: Target, tally: Tally, deadline: float) -> None:
    kind = "POST /api/v1/public/stations/<code>/opinions"
    while time.perf_counter() < deadline:
        n = next(target.counter)
        title, content = target.text(n)
        key, code = uuid.uuid4().hex, target.station(n)
        payload = {"title": title, "content": content, "resident_name": f"群众{n}", "resident_phone": f"137{n:08d}"}
        headers = {**proxy_headers(resident_address()), "Idempotency-Key": key}
        url = f"{target.base}/api/v1/public/stations/{code}/opinions"
        answer = await _request(session, tally, kind, "POST", url, expect=201, json=payload, headers=headers)
        if answer is not None:
            _record_json(tally, kind, "api_public", answer[0], key, code)


def _record_json(tally: Tally, kind: str, scenario: str, body: str, key: str, station: str) -> None:
    try:
        code = json.loads(body)["code"]
    except (ValueError, KeyError, TypeError):
        tally.fail(kind, "answer without a code", body)
        return
    tally.acknowledged.append((scenario, code, key, station))


SCENARIOS = {"ceiling": _ceiling, "qr": _qr, "api": _api, "api_public": _api_public}


async def _run(scenario: str, target: Target, concurrency: int, duration: float, tally: Tally) -> float:
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    # The client keeps no cookies of its own: each QR form carries its resident's CSRF cookie by hand.
    async with aiohttp.ClientSession(
        connector=connector, timeout=TIMEOUT, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        start = time.perf_counter()
        tally.window_end = start + duration
        client = SCENARIOS[scenario]
        await asyncio.gather(*(client(session, target, tally, tally.window_end) for _ in range(concurrency)))
        return time.perf_counter() - start


def run(scenario: str, target: Target, concurrency: int, duration: float) -> tuple[Tally, float]:
    """One measured window: the tally and the wall time including the drain of in-flight requests."""
    tally = Tally()
    elapsed = asyncio.run(_run(scenario, target, concurrency, duration, tally))
    return tally, elapsed
