"""Every page of the demo, as every demo user sees it, reads in words: the crawler signs in as each user, follows
every link inside the app from the start page (GET only: no form is sent, nobody signs out, no file or diagram
is downloaded) and collects what a user should never see: a server error, ``None``, JSON, ISO dates and
periods, snake_case keys, lower-case statuses, usernames where a full name exists, "e-mail".

The demo is loaded once for the module at a fixed moment and the clock stays there, so the pages, and what the
crawler finds, are the same on every run. The admin's and the designer's own pages (``/admin``, ``/processes``)
may show element ids, durations and usernames: those are their subject.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import time_machine
from argon2 import PasswordHasher
from sqlalchemy import select

from demo import AGENCIES, DEMO_PASSWORD, PARTNER_STAFF, STAFF, load_demo
from engine.bundles import definitions
from engine.config import REPO_ROOT, Config
from engine.people import accounts
from engine.records import Actor
from engine.states import InstanceStatus, TaskState
from engine.store.db import make_engine, transaction
from engine.store.models import HumanTask, ProcessInstance
from engine.store.schema import create_schema
from engine.work import tasks
from web import create_app
from web.pages.filters import markdown

pytestmark = pytest.mark.slow

DEMO_NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # a Monday morning; the demo's "now"
RELAXED_PAGES = ("/admin", "/processes")  # the admin's and the designer's pages: ids and durations are their subject
USERNAMES = [u for u, *_ in STAFF] + [f"{key}.lead" for key, _ in AGENCIES] + [u for u, *_ in PARTNER_STAFF]
MAX_PAGES = 1000  # per user: a crawl that finds more has met a link that multiplies pages (a filter, a page number)

SKIPPED = re.compile(r"^/(?:assets|static|files|api)/|\.(?:bpmn|csv)$|^/sign-out")
STATUS_WORDS = sorted({*InstanceStatus, *TaskState, "paused", "overdue", "on_track", "off_track", "claimed",
                       "open", "draft", "sent", "failed", "withdrawn"})
RULES: list[tuple[str, re.Pattern[str], bool]] = [  # (what, pattern, also on the relaxed pages)
    ("None", re.compile(r"\bNone\b(?! [a-z])"), True),  # "None of these" is an answer; "Agency None" is not
    ("JSON", re.compile(r"\{\s*\"|\[\s*'|\[\s*\""), True),
    # a date, not a reference that holds one ("SIN-2026-04-03")
    ("ISO date", re.compile(r"(?<![A-Za-z]-)\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}[:\d.+Z]*)?\b"), True),
    ("ISO period", re.compile(r"\bP(?=\d|T\d)(?:\d+[YMWD])*(?:T(?:\d+[HMS])+)?\b"), False),
    ("snake_case", re.compile(r"\b[a-z]+_[a-z_]+\b"), False),
    ("username", re.compile(r"\b[a-z_]+\.(?:lead|partner)\b(?!@)"), False),
    ("e-mail", re.compile(r"\be-mail", re.IGNORECASE), True),
]
LOWER_STATUS = re.compile(r"<(?P<tag>td|dd|strong|span|p|li)\b[^>]*>\s*(?P<word>" + "|".join(STATUS_WORDS)
                          + r")\s*</(?P=tag)>")


@dataclass(frozen=True)
class Finding:
    user: str
    page: str
    what: str
    snippet: str

    def __str__(self) -> str:
        return f"{self.user} {self.page}: {self.what}: ...{self.snippet}..."


class _Page(HTMLParser):
    """A page's visible text (no tags, attributes, scripts or styles) and the links of its ``<a>`` elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
        self.chunks.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1
        self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.chunks).split())


def read_page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def problems(html: str, text: str, *, relaxed: bool, own: str = "") -> list[tuple[str, str]]:
    """(what, snippet) for each rule the page breaks, every occurrence up to five a rule; ``own`` is a username
    the page may show (the account page shows its user's: it is what they sign in with)."""
    found: list[tuple[str, str]] = []
    text = text.replace(own, "") if own else text
    for what, pattern, strict_too in RULES:
        if relaxed and not strict_too:
            continue
        for match in list(pattern.finditer(text))[:5]:
            found.append((what, text[max(0, match.start() - 40):match.end() + 40]))
    for match in list(LOWER_STATUS.finditer(html))[:5]:
        found.append(("lower-case status", match.group(0)))
    return found


def next_links(page_url: str, hrefs: list[str]) -> list[str]:
    """The app's own pages a page links to, as paths with their queries, without fragments or downloads."""
    out = []
    for href in hrefs:
        absolute, _ = urldefrag(urljoin("http://localhost" + page_url, href))
        parts = urlsplit(absolute)
        if parts.netloc != "localhost" or parts.scheme not in ("http", "https"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIPPED.search(parts.path):
            out.append(path)
    return out


def crawl(app, username: str) -> tuple[list[Finding], int]:
    """Sign in as ``username`` and visit every page reachable from the start page; the findings and the page
    count."""
    client = app.test_client()
    signed_in = client.post("/sign-in", data={"username": username, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302, f"{username} cannot sign in"
    findings: list[Finding] = []
    queue, seen = deque(["/", "/account", "/notifications"]), {"/", "/account", "/notifications"}
    while queue and len(seen) <= MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code >= 500:
            findings.append(Finding(username, url, f"status {response.status_code}", ""))
            continue
        if response.status_code in (301, 302, 303):
            location = urlsplit(response.headers["Location"])
            target = location.path + (f"?{location.query}" if location.query else "")
            if target not in seen and not target.startswith("/sign-in"):
                seen.add(target)
                queue.append(target)
            continue
        if not response.mimetype == "text/html":
            continue
        html = response.get_data(as_text=True)
        page = read_page(html)
        relaxed = url.startswith(RELAXED_PAGES)
        own = username if urlsplit(url).path == "/account" else ""
        findings += [Finding(username, url, what, snippet)
                     for what, snippet in problems(html, page.text, relaxed=relaxed, own=own)]
        for link in next_links(url, page.links):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    assert len(seen) <= MAX_PAGES, f"{username}: more than {MAX_PAGES} pages; a link multiplies pages"
    return findings, len(seen)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """The app on a database holding every shipped bundle (as ``lif init``) and the demo (as ``lif demo``),
    with cheap password hashes so that nineteen sign-ins stay quick."""
    folder = tmp_path_factory.mktemp("crawl")
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    engine = make_engine(url)
    create_schema(engine)
    engine.dispose()
    with pytest.MonkeyPatch.context() as patch, time_machine.travel(DEMO_NOW, tick=False):
        patch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        config = Config.from_env(database_url=url, secret_key="crawl-secret", workflows_dir=folder / "none")
        app = create_app(config)
        factory = app.extensions["lif"].factory
        with transaction(factory) as session:
            definitions.deploy_all(session, REPO_ROOT / "workflows", actor="lif init", now=DEMO_NOW)
        load_demo(factory, now=DEMO_NOW)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    return app


@pytest.mark.parametrize("username", USERNAMES)
def test_every_page_reads_in_words_for_every_demo_user(demo_app, username):
    with time_machine.travel(DEMO_NOW, tick=False):
        findings, pages = crawl(demo_app, username)
    assert pages > 3, f"{username} reached only {pages} pages"
    assert not findings, f"{len(findings)} findings on {pages} pages:\n" + "\n".join(map(str, findings))


def test_the_crawler_sees_what_it_must_refuse():
    """The rules catch each kind of slip, and leave words, full dates and email addresses alone."""
    page = read_page('<p title="on_track">Due 10 December 2026</p><script>var x = {"a": None};</script>'
                     '<a href="/cases?page=2#top">next</a> <p>csc.lead@example.org</p>')
    assert problems("", page.text, relaxed=False) == []
    assert next_links("/cases", page.links) == ["/cases?page=2"]
    bad = ("None", '{"status": "x"}', "['police']", "2026-12-10", "every P28D", "PT1H", "sample_seed",
           "Owner csc.lead", "E-mail")
    for text in bad:
        assert problems("", read_page(f"<p>{text}</p>").text, relaxed=False), text
    assert problems("<td>active</td>", "active", relaxed=False) == [("lower-case status", "<td>active</td>")]
    assert problems("", "every P28D for csc.lead", relaxed=True) == []
    assert problems("", "Special circumstances: None of these", relaxed=False) == []
    assert problems("", "Notification reference SIN-2026-04-03", relaxed=False) == []
    assert problems("", "Username acute_health.lead", relaxed=False, own="acute_health.lead") == []


def test_every_task_s_instructions_and_every_title_of_the_demo_read_in_words(demo_app):
    """The bundles' own words, apart from the pages around them: each task's instructions as its page renders them
    (Markdown to text), and each case's and task's title, as a coordinator (who sees every task) reads them."""
    coordinator = Actor("coordinator", frozenset({"coordinator"}), None)
    findings = []
    with time_machine.travel(DEMO_NOW, tick=False), transaction(demo_app.extensions["lif"].factory) as session:
        for case in session.scalars(select(ProcessInstance)):
            findings += [f"case {case.business_key} title: {what}: {snip}"
                         for what, snip in problems("", case.title, relaxed=False)]
        for row in session.scalars(select(HumanTask).order_by(HumanTask.process_key, HumanTask.name)):
            detail = tasks.task_detail(session, row.id, actor=coordinator, now=DEMO_NOW)
            words = read_page(str(markdown(detail.instructions or ""))).text
            findings += [f"{row.process_key} task {row.name}: {what}: {snip}"
                         for what, snip in problems("", f"{row.title} {words}", relaxed=False)]
    assert not findings, "\n".join(findings)
