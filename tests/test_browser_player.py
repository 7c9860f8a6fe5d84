"""The exercise player and counts a patient can trust, in Chromium at 390×844, against the real server."""

from __future__ import annotations

import itertools
import re
import time

import pytest

from exercises.models import SetLog

from .browser import axe_violations, poll, scrolls_sideways, sign_in, wait_for_service_worker
from .waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.services]


@pytest.fixture
def bypass_csp():
    return True  # the phone's CSP bypassed only so that axe-core can be injected; the app runs as on a phone


def count(page, n: int = 0) -> int:
    text = page.locator("[data-testid=count]").nth(n).inner_text()
    return int(re.match(r"(\d+) of", text).group(1))


def phase(page) -> str:
    return page.locator("[data-testid=phase]").get_attribute("data-phase")


def run_until(page, condition, step_ms: int = 250, limit_ms: int = 120_000):
    """Advance the page's fake clock in steps until ``condition()`` holds (a deadline in page time)."""
    ran = 0
    while not condition():
        assert ran < limit_ms, "the condition never held"
        page.clock.run_for(step_ms)
        ran += step_ms


# The player's buttons while a set runs, each wholly between the header's bottom and the tab bar's top, as
# the player scrolled itself when it opened (no scrolling by the patient).
CONTROLS_ON_SCREEN = """() => {
  const bar = document.querySelector('nav.tabs').getBoundingClientRect().top;
  return [...document.querySelectorAll('.player .row button')]
    .filter((b) => { const r = b.getBoundingClientRect(); return r.top < 0 || r.bottom > bar; })
    .map((b) => b.innerText);
}"""


def test_a_set_with_the_player_from_start_to_log_and_rest(live_server, demo, phone):
    patient = demo["demo-alfredson"]
    page = phone.new_page()
    page.clock.install()
    sign_in(page, live_server.url, "demo-alfredson")
    page.locator(".card").first.wait_for()
    before = count(page)
    page.get_by_role("button", name="Start set").first.click()
    figure = page.locator("[data-testid=figure]")
    figure.wait_for()
    assert "knee straight" in figure.get_attribute("aria-label").lower()
    assert "step" in figure.get_attribute("aria-label")
    assert phase(page) == "ready"
    page.get_by_role("button", name="Start", exact=True).click()
    assert phase(page) == "lower"
    assert page.locator(".phase-count").inner_text() == "3"
    assert "Rep 1 of 15: Lower" in page.get_by_test_id("player-live").inner_text()
    run_until(page, lambda: phase(page) == "rise_other")
    assert "Rise with the other leg" in page.get_by_test_id("player-live").inner_text()
    assert page.evaluate(CONTROLS_ON_SCREEN) == []  # on the step: every control in sight, none under the tabs
    run_until(page, lambda: page.get_by_test_id("reps").inner_text().startswith("3 of 15"))
    assert not axe_violations(page)  # the player running: nothing serious or critical
    trace = page.evaluate("window.rehabPlayer.trace")
    assert [t["phase"] for t in trace[:4]] == ["lower", "rise_other", "lower", "rise_other"]
    page.get_by_role("button", name="Stop and log").click()
    assert page.get_by_label("Reps", exact=True).input_value() == "3"  # the counted reps, not the prescription's 15
    assert float(page.get_by_label("Load (kg)").input_value()) == float(patient.programs.get().loads.get(
        "eccentric_heel_drop_straight", 0))  # fmt: skip
    page.get_by_role("button", name="Save set").click()
    page.locator("[data-testid=count]").first.filter(has_text=f"{before + 1} of").wait_for()
    rest = page.locator(".rest-clock")
    assert rest.get_attribute("data-seconds") == "60"  # Alfredson's default rest between sets
    run_until(page, lambda: SetLog.objects.filter(patient=patient, reps=3).exists())

    # the phone locked for 40 s: no timer ran meanwhile, and the countdown is right the moment it is back
    left = int(rest.get_attribute("data-seconds"))
    page.evaluate("Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true})")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.clock.fast_forward(40_000)
    page.evaluate("Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true})")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    assert int(rest.get_attribute("data-seconds")) == left - 40
    run_until(page, lambda: page.get_by_text("Rest over").is_visible())


def test_offline_the_player_counts_taps_and_a_finished_card_asks_once_before_an_extra_set(live_server, demo, phone):
    patient = demo["demo-alfredson"]
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.locator(".card").first.wait_for()
    wait_for_service_worker(page)
    stored = SetLog.objects.filter(patient=patient).count()
    phone.set_offline(True)
    page.reload()  # the app and the player's chunk from the service worker
    page.locator(".card").first.wait_for()
    page.get_by_role("button", name="Start set").first.click()
    page.locator("[data-testid=figure]").wait_for()
    page.get_by_role("button", name="Count at my own pace instead").click()
    for _ in range(4):
        page.get_by_role("button", name="Tap for each rep").click()
    assert page.get_by_test_id("reps").inner_text().startswith("4 of 15")
    page.get_by_role("button", name="Stop and log").click()
    assert page.get_by_label("Reps", exact=True).input_value() == "4"
    page.get_by_role("button", name="Save set").click()
    page.get_by_text("1 waiting to sync").wait_for()
    assert SetLog.objects.filter(patient=patient).count() == stored
    phone.set_offline(False)
    assert wait_for(lambda: SetLog.objects.filter(patient=patient, reps=4).count() == 1)

    page.get_by_role("button", name="Skip rest").click()
    sets = int(re.search(r"of (\d+)", page.locator("[data-testid=count]").first.inner_text()).group(1))
    for n in range(count(page), sets):
        page.get_by_role("button", name="Log a set").first.click()
        page.get_by_role("button", name="Save set").click()
        page.locator("[data-testid=count]").first.filter(has_text=f"{n + 1} of").wait_for()
    card = page.locator(".card").first
    assert "Done" in card.locator("h2").inner_text()
    asked = []
    page.on("dialog", lambda d: (asked.append(d.message), d.accept()))
    for n in range(2):
        card.get_by_role("button", name="Log an extra set").click()
        page.get_by_role("button", name="Save set").click()
        page.locator("[data-testid=count]").first.filter(has_text=f"{sets + n + 1} of").wait_for()
    assert asked == [f"You have done all {sets} sets — log an extra one?"]  # once


def test_counts_never_fall_back_through_a_slow_sync_then_the_set_is_changed_and_deleted(live_server, demo, phone):
    patient = demo["demo-alfredson"]
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.locator(".card").first.wait_for()
    before, stored = count(page), SetLog.objects.filter(patient=patient).count()

    def slow(route):
        time.sleep(1.0)  # the latency itself (the input of this test, not a wait): a slow network for both calls
        route.continue_()

    page.route("**/api/v1/logs/batch/", slow)
    page.route("**/api/v1/today/", slow)
    page.evaluate(
        """() => { window.samples = []; setInterval(() => {
             const c = document.querySelector('[data-testid=count]');
             if (c) window.samples.push(parseInt(c.textContent, 10)); }, 100); }"""
    )
    page.get_by_role("button", name="Log a set").first.click()
    page.get_by_role("button", name="Save set").click()
    status = page.get_by_test_id("sync-status")
    status.filter(has_text="Saved on this phone").wait_for()  # during the undo: not a sync problem
    assert "waiting to sync" not in status.inner_text()
    poll(page, "document.querySelector('[data-testid=sync-status]').textContent.trim() === ''", timeout=30)
    # the day is asked again once the set was sent: wait until its answer is shown, sampling meanwhile
    poll(page, "performance.getEntriesByType('resource').filter(e => e.name.endsWith('/api/v1/today/')).length >= 2",
         timeout=30)  # fmt: skip
    poll(page, f"window.samples.length > 0 && window.samples.slice(-5).every(n => n === {before + 1})", timeout=30)
    samples = page.evaluate("window.samples")
    assert all(b >= a for a, b in itertools.pairwise(samples)), samples
    assert samples[-1] == before + 1
    page.unroute("**/api/v1/logs/batch/")
    page.unroute("**/api/v1/today/")

    assert SetLog.objects.filter(patient=patient).count() == stored + 1
    log = SetLog.objects.filter(patient=patient).latest("id")
    row = page.locator(f"[data-client='{log.client_id}']")
    page.get_by_test_id("mend").locator("summary").click()
    row.wait_for()
    row.get_by_role("button", name="Change").click()
    page.get_by_label("Reps", exact=True).fill("9")
    page.get_by_role("button", name="Save change").click()
    assert wait_for(lambda: SetLog.objects.get(pk=log.pk).reps == 9)
    page.on("dialog", lambda d: d.accept())
    row.get_by_role("button", name="Delete").click()
    page.locator("[data-testid=count]").first.filter(has_text=f"{before} of").wait_for()
    assert wait_for(lambda: not SetLog.objects.filter(pk=log.pk).exists())
    page.reload()
    page.locator(".card").first.wait_for()
    assert count(page) == before


# Large text (the phone's font size at 200 %): every visible box inside the screen's width, no control whose text
# is wider than the control, and every control reachable: scrolled to, the control itself is what a tap hits.
LAYOUT_PROBLEMS = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const name = (el) => `${el.tagName.toLowerCase()}.${el.className}: ${(el.innerText || el.value || '').slice(0, 40)}`;
  for (const el of document.querySelectorAll('#app *')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || !el.checkVisibility({ visibilityProperty: true })) continue; // closed <details>
    if (el.closest('.visually-hidden, svg, .skip')) continue;
    if (box.right > width + 1 || box.left < -1) problems.push(`outside the screen: ${name(el)}`);
    if (el.matches('button, a, label, input, select, output, h1, h2') && el.scrollWidth > el.clientWidth + 1)
      problems.push(`cut off: ${name(el)}`);
  }
  const modal = document.querySelector('dialog[open]'); // an open sheet is all a tap can reach
  for (const el of (modal || document.querySelector('main')).querySelectorAll('button, a, input, select')) {
    if (el.closest('.visually-hidden') || !el.checkVisibility({ visibilityProperty: true })) continue;
    el.scrollIntoView({ block: 'center' });
    const box = el.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    if (!(hit === el || el.contains(hit) || hit?.closest('label')?.contains(el))) problems.push(`covered: ${name(el)}`);
  }
  window.scrollTo(0, 0);
  return problems;
}"""


def layout_problems(page, seconds: float = 5.0) -> list[str]:
    """LAYOUT_PROBLEMS once the screen has settled (a list still loading moves what is below it): empty as
    soon as a check finds none, else the last check's problems at the deadline."""
    found: list[str] = []

    def settled() -> bool:
        nonlocal found
        found = page.evaluate(LAYOUT_PROBLEMS)
        return not found

    wait_for(settled, seconds=seconds, every=0.25)
    return found


def test_at_200_percent_text_the_player_fits_the_phone_and_every_control_is_reachable(live_server, demo, phone):
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.locator(".card").first.wait_for()
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert layout_problems(page) == []  # Today's cards, at large text
    page.get_by_role("button", name="Start set").first.click()
    page.locator("[data-testid=figure]").wait_for()
    assert layout_problems(page) == []  # the player before the set
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_test_id("player-live").filter(has_text="Lower").wait_for()
    assert layout_problems(page) == []  # ... and while it runs
    assert not scrolls_sideways(page)
    page.get_by_role("button", name="Stop and log").click()
    page.get_by_role("button", name="Save set").wait_for()
    assert layout_problems(page) == []  # the log sheet


# One row of tabs, all on screen, and no label's word broken across two lines ("Reminde / rs").
TABS_IN_ONE_ROW = """() => {
  const tabs = [...document.querySelectorAll('nav.tabs a')];
  const tops = new Set(tabs.map((a) => Math.round(a.getBoundingClientRect().top)));
  const brokenWord = (a) => {
    const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      for (const word of text.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(text, word.index);
        range.setEnd(text, word.index + word[0].length);
        if (new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1) return true;
      }
    }
    return false;
  };
  const broken = tabs.filter(brokenWord).map((a) => a.textContent);
  return { tabs: tabs.length, rows: tops.size, fits: tabs.every((a) => a.getBoundingClientRect().right <= innerWidth),
           broken };
}"""


TAB_WIDTHS = (
    "() => [...document.querySelectorAll('nav.tabs a')].map((a) => Math.round(a.getBoundingClientRect().width))"
)


def test_the_language_changes_in_the_app_and_the_servers_texts_follow_at_once(live_server, demo, phone):
    """Under Reminders a patient changes the language; what the server wrote (the exercise advice) follows
    without a reload, and the tab bar stays one row on the phone in either language."""
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.get_by_text(re.compile("Off a step: lower the heel below")).first.wait_for()
    assert page.evaluate(TABS_IN_ONE_ROW) == {"tabs": 6, "rows": 1, "fits": True, "broken": []}
    widths = page.evaluate(TAB_WIDTHS)
    page.get_by_role("link", name="Reminders").click()
    page.get_by_label("Language").wait_for()
    assert page.evaluate(TAB_WIDTHS) == widths  # the current tab: no tab wider or narrower for it
    page.get_by_label("Language").select_option("da")
    page.get_by_role("link", name="I dag").click()
    page.get_by_text(re.compile("Fra et trin: sænk hælen")).first.wait_for()
    assert page.evaluate(TABS_IN_ONE_ROW) == {"tabs": 6, "rows": 1, "fits": True, "broken": []}
    page.get_by_role("link", name="Påmindelser").click()
    page.get_by_label("Sprog").wait_for()  # the longest label the current tab: still whole
    assert page.evaluate(TABS_IN_ONE_ROW) == {"tabs": 6, "rows": 1, "fits": True, "broken": []}
    page.get_by_label("Sprog").select_option("en")
    page.get_by_role("link", name="Today").click()
    page.get_by_text(re.compile("Off a step: lower the heel below")).first.wait_for()
    assert page.get_by_text(re.compile("Fra et trin")).count() == 0


def test_signed_in_in_english_where_the_server_kept_danish_the_open_screen_turns_english(live_server, demo, phone):
    """The account's language was Danish (chosen on another phone); this app speaks English: once the server is
    told, the screen already open loads again, so no Danish advice stays on it."""
    user = demo["demo-alfredson"].user
    user.language = "da"
    user.save(update_fields=["language"])
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.get_by_text(re.compile("Off a step: lower the heel below")).first.wait_for()  # no navigation
    assert page.get_by_text(re.compile("Fra et trin")).count() == 0
    user.refresh_from_db()
    assert user.language == "en"
