"""The web client's budget: JavaScript size, first load of today's screen on a throttled phone,
Chromium's installability check and Lighthouse (12.2.3, pinned in web/package.json).

Builds the client, serves it with gunicorn on a fresh PostgreSQL database with the demo data, and prints:
- the app's JavaScript, gzipped (target <= 100 KB; the service worker listed apart);
- today's screen from navigation to the first exercise card, signed in, on a throttled mobile profile
  (Lighthouse's: 150 ms RTT, 1.6 Mbps down, 750 kbps up, CPU 4x slower), with an empty HTTP cache and no
  service worker (cold) and with the service worker's cache (warm); median of 5 (target < 2 s);
- Chromium's installability errors for the manifest and service worker (target: none);
- Lighthouse on the sign-in page, mobile: performance (target >= 90), accessibility (>= 95), best practices;
- the clinician's caseload page for a physio with 300 patients (12 weeks of logs): navigation to the
  first rows in Chromium on a desktop, unthrottled (target < 1 s); median of 5;
- the patient's JavaScript (the app and the player's chunk, gzipped; target <= 60 KB);
- the player's tempo drift: a whole 15-rep Alfredson set in real time (75 s), each phase change's time
  against its schedule, as the player records them (target: every one within 50 ms).

    .venv/bin/python bench/web.py [--runs 5] [--no-lighthouse] [--player-only]
"""

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, start_gunicorn, use_fresh_database

WEB = ROOT / "web"
CHROMIUM = os.environ.get("RT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip
THROTTLE = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8 * 0.9, "uploadThroughput": 750e3 / 8}


def js_sizes() -> dict[str, int]:
    return {
        path.relative_to(WEB / "dist").as_posix(): len(gzip.compress(path.read_bytes(), 9))
        for path in sorted([*(WEB / "dist" / "assets").glob("*.js"), WEB / "dist" / "sw.js"])
    }


def first_card_ms(context, base: str, warm: bool) -> float:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if not warm:
        cdp.send("Network.clearBrowserCache")
        page.goto(base + "/api/v1/health/")
        page.evaluate(
            "navigator.serviceWorker.getRegistrations().then((rs) => Promise.all(rs.map((r) => r.unregister())))"
        )
        page.evaluate("caches.keys().then((ks) => Promise.all(ks.map((k) => caches.delete(k))))")
    cdp.send("Network.emulateNetworkConditions", THROTTLE)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.goto(base + "/today", wait_until="commit")
    page.locator(".card").first.wait_for(timeout=30_000)
    elapsed = page.evaluate("performance.now()")
    page.close()
    return elapsed


def tempo_drift(context, base: str) -> list[float]:
    """A 15-rep set in the player, in real time: how late (ms) each phase change landed against its schedule."""
    page = context.new_page()
    page.goto(base + "/today")
    page.get_by_role("button", name="Start set").first.click()
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_role("button", name="Save set").wait_for(timeout=180_000)  # the set over: the log sheet opens
    trace = page.evaluate("window.rehabPlayer.trace")
    page.close()
    return [t["at"] - t["scheduled"] for t in trace]


def seed_caseload() -> str:
    """300 patients, 12 weeks of logs, for one physio; their username."""
    from common import analyze
    from django.contrib.auth import get_user_model

    from rehab_tracker.demo import seed_bulk

    seed_bulk(patients=300, weeks=12, per_physio=300)
    analyze()
    return get_user_model().objects.filter(username__startswith="bulk-", role="physio").latest("id").username


def caseload_first_rows(p, base: str, physio: str, runs: int) -> list[float]:
    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(base + "/")
    page.get_by_label("Username").fill(physio)
    page.get_by_label("Password").fill("rehab-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.locator("[data-testid=caseload-row]").first.wait_for()
    times = []
    for _ in range(runs):
        page.goto(base + "/caseload", wait_until="commit")
        page.locator("[data-testid=caseload-row]").first.wait_for(timeout=30_000)
        times.append(page.evaluate("performance.now()"))
    browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--player-only", action="store_true", help="the JS sizes and the tempo drift only")
    args = parser.parse_args()

    subprocess.run(["npm", "run", "--silent", "build"], cwd=WEB, check=True, stdout=subprocess.DEVNULL)
    sizes = js_sizes()
    app_js = sum(v for k, v in sizes.items() if k != "sw.js")
    print("JavaScript, gzipped:")
    for name, size in sizes.items():
        print(f"  {name:32} {size / 1024:6.1f} KB")
    print(f"  all app chunks (target <= 100 KB) {app_js / 1024:5.1f} KB")
    patient_js = sum(v for k, v in sizes.items() if k != "sw.js" and "clinician" not in k)
    print(f"  the patient's app with the player (target <= 60 KB) {patient_js / 1024:5.1f} KB (index, player)")
    figures = {"bench": "web", "js_kb_gzip": round(app_js / 1024, 1), "patient_js_kb_gzip": round(patient_js / 1024, 1)}

    use_fresh_database("rehab_bench_web")
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    physio = None if args.player_only else seed_caseload()
    server, port = start_gunicorn(workers=2)
    base = f"http://127.0.0.1:{port}"
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=ARGS, viewport={"width": 390, "height": 844},
                is_mobile=True, has_touch=True,
            )  # fmt: skip
            page = context.new_page()
            page.goto(base + "/")
            page.get_by_label("Username").fill("demo-alfredson")
            page.get_by_label("Password").fill("rehab-demo-2026")
            page.get_by_role("button", name="Sign in").click()
            page.locator(".card").first.wait_for()
            page.evaluate("navigator.serviceWorker.ready")
            cdp = context.new_cdp_session(page)
            installability = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
            page.close()
            drift = tempo_drift(context, base)
            print(f"Player tempo drift over a 15-rep set, {len(drift)} phase changes (target: each within 50 ms):")
            print(f"  median {statistics.median(drift):6.1f} ms  max {max(drift, key=abs):6.1f} ms")
            figures |= {"tempo_drift_median_ms": round(statistics.median(drift), 1),
                        "tempo_drift_max_ms": round(max(drift, key=abs), 1)}  # fmt: skip
            if args.player_only:
                print(json.dumps(figures))
                return
            cold = [first_card_ms(context, base, warm=False) for _ in range(args.runs)]
            warm = [first_card_ms(context, base, warm=True) for _ in range(args.runs)]
            context.close()
            caseload = caseload_first_rows(p, base, physio, args.runs)
        print("Today's screen, navigation to first card, throttled mobile (target < 2000 ms):")
        print(
            f"  cold (no cache, no service worker)  median {statistics.median(cold):6.0f} ms  max {max(cold):6.0f} ms"
        )
        print(
            f"  warm (service worker's cache)       median {statistics.median(warm):6.0f} ms  max {max(warm):6.0f} ms"
        )
        print(f"Chromium installability errors: {[e['errorId'] for e in installability] or 'none'}")
        print("Caseload page, physio with 300 patients, navigation to first rows (target < 1000 ms):")
        print(f"  median {statistics.median(caseload):6.0f} ms  max {max(caseload):6.0f} ms")
        figures |= {"first_card_cold_ms": round(statistics.median(cold)),
                    "first_card_warm_ms": round(statistics.median(warm)),
                    "installability_errors": [e["errorId"] for e in installability],
                    "caseload_first_rows_ms": round(statistics.median(caseload))}  # fmt: skip
        if not args.no_lighthouse:
            figures["lighthouse"] = lighthouse(base)
    finally:
        server.terminate()
        server.wait()
    print(json.dumps(figures))


def lighthouse(base: str) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        flags = " ".join(["--headless=new", *ARGS])
        for _attempt in range(3):  # Lighthouse now and then fails to record a trace (NO_NAVSTART): run it again
            done = subprocess.run(
                [str(WEB / "node_modules/.bin/lighthouse"), base + "/", "--quiet", "--output=json",
                 f"--output-path={report}", f"--chrome-flags={flags}",
                 "--only-categories=performance,accessibility,best-practices"],
                env={**os.environ, "CHROME_PATH": CHROMIUM},
            )  # fmt: skip
            if done.returncode == 0:
                break
        else:
            sys.exit("Lighthouse failed three times")
        result = json.loads(report.read_text())
    scores = {k: round(v["score"] * 100) for k, v in result["categories"].items()}
    print("Lighthouse 12.2.3, mobile, sign-in page (targets: performance >= 90, accessibility >= 95):")
    for name, score in scores.items():
        print(f"  {name:16} {score:4d}")
    for audit in (
        "first-contentful-paint",
        "largest-contentful-paint",
        "total-blocking-time",
        "cumulative-layout-shift",
    ):
        print(f"  {audit:28} {result['audits'][audit]['displayValue']}")
    return scores


if __name__ == "__main__":
    sys.exit(main())
