"""Every page a role can reach is checked by axe-core (WCAG 2.2 AA) and at phone width.

The pages are not listed here: each role's crawl starts at its home page and follows the main
navigation and the user menu, then from every list the first record's detail page and the "Add"
form (submitted empty, to check the page with field errors). A page another engineer adds to
`vpportal/navigation.py` is therefore checked without touching this file.

The roles are crawled in one browser session, widest first (the executive reaches every page and
sees every button). Every role opens every page it reaches (each must answer); axe and the phone
width run on every role's home page ("My work" differs by role), and once per kind of any other
page (its path with record ids folded), for the first role that reaches it: the same template with the same record for a narrower role is the same markup with less in it,
and checking it again cost more than half of the crawl.

axe-core is the vendored copy in static/vendor/axe-core (no internet at test time). Screenshots of
every page with a problem (a violation, or sideways scroll at phone width) land in
test-artifacts/pages/<role>/.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in
from tests.conftest import make_persona
from tests.factories.people import PASSWORD
from tests.factories.team import MentorshipFactory
from tests.leadership.conftest import build_world

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}

# Sideways scroll once the layout settled: charts redraw for the new width a few frames after it.
SETTLED_OVERFLOW = """async () => {
  const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()));
  const overflow = () => document.documentElement.scrollWidth - document.documentElement.clientWidth;
  for (let i = 0; i < 30 && overflow() > 0; i++) await frame();
  return overflow();
}"""

# Not our pages: the browsable API and the Swagger UI are third-party renderers of the API.
SKIP = re.compile(r"^/api/|/export|\.pdf$|/logout/")


def _links(page, selector):
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if h and h.startswith("/") and not SKIP.search(urlsplit(h).path)]


def _axe(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_22_AA,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -- {', '.join(str(n['target']) for n in v['nodes'][:5])}"
        + (f" and {len(v['nodes']) - 5} more" if len(v["nodes"]) > 5 else "")
        for v in result["violations"]
    ]


def _slug(url):
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"


def _check(page, url, role, problems, label=None):
    """axe at desktop width, then no sideways page scroll at phone width; a screenshot of a problem."""
    folder = ARTIFACTS / "pages" / role
    name = label or url
    violations = [f"{name}: {v}" for v in _axe(page)]
    problems.extend(violations)
    if violations:  # full-page screenshots cost a second or more each: only of a page that needs looking at
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{_slug(name)}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate(SETTLED_OVERFLOW)
    if overflow > 0:
        problems.append(f"{name}: at 390 px the page scrolls sideways by {overflow} px")
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{_slug(name)}-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _kind(url):
    return re.sub(r"/\d+(?=/)", "/<id>", urlsplit(url).path)


def _crawl(page, role, checked):
    """Visit what `role` reaches; axe and the phone width for each kind of page not in `checked`."""
    problems, seen = [], set()

    def visit(url, label=None):
        if url in seen:
            return False
        seen.add(url)
        kind = _kind(url)
        if kind == "/":  # each role's home is its own page ("My work", the dashboard for some)
            kind, label = f"/ as {role}", label or f"/ (home of the {role})"
        # A page to check waits for everything it loads (styles, scripts, charts); one only visited
        # answers and gives its links once its HTML is parsed.
        response = page.goto(url, wait_until="load" if kind not in checked else "domcontentloaded")
        if response is None or response.status >= 400:
            problems.append(f"{role} {url}: answered {response.status if response else 'nothing'}")
            return False
        if kind not in checked:
            checked.add(kind)
            _check(page, url, role, problems, label)
        return True

    visit("/")
    start = _links(page, "nav[aria-label='Main navigation'] a[href]")
    for url in start:
        if not visit(url):
            continue
        details = _links(page, "main table tbody tr:first-child a[href]")[:1]
        forms = [h for h in _links(page, "main a[href]") if urlsplit(h).path.endswith("/add/")][:1]
        for detail in details:
            visit(detail)
        for form in forms:
            if visit(form) and page.locator("main form[method='post'] [type='submit']").count():
                page.locator("main form[method='post'] [type='submit']").first.click()
                page.wait_for_load_state()
                errors = f"{_kind(form)} with errors"
                if errors not in checked and page.locator(".invalid-feedback, .errorlist, .alert-danger").count():
                    checked.add(errors)
                    _check(page, form, role, problems, label=f"{form} with errors")
    return seen, problems


ROLES = ["executive", "governance", "leader", "contributor", "auditor"]  # widest first


def test_every_page_each_role_reaches_answers_has_no_accessibility_violations_and_fits_a_phone(browser, live_server):
    for role in ROLES:
        make_persona(role)
    build_world(1)
    MentorshipFactory()
    checked, problems, reached = set(), [], {}
    for role in ROLES:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
        )
        context.set_default_timeout(30_000)  # a shared CI machine under load; no time is asserted
        page = context.new_page()
        try:
            sign_in(page, f"{role}-user", PASSWORD)
            reached[role], found = _crawl(page, role, checked)
            problems.extend(found)
        finally:
            context.close()
    for role, seen in reached.items():
        assert len(seen) > 10, f"the {role}'s crawl reached only {sorted(seen)}"
    assert problems == [], f"{len(problems)} problems on {len(checked)} kinds of page:\n" + "\n".join(problems)
