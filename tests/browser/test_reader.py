"""The reader's experience in a real browser: the header's search box, results, feeds in
the head, excerpts and links between entries, on a phone and on a desktop."""

import feedparser
import pytest
from playwright.sync_api import expect

from contexts.accounts import api as accounts_api
from contexts.blog import services
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

LONG_WORD = "Supercalifragilisticexpialidocious" * 3


def a_blog_with_entries() -> list:
    account = accounts_api.account_register(name="rita", password="correct-horse-battery-9")
    author = services.author_ensure(account_id=account.id, name=account.name)
    blog = services.blog_create(owner=author, path="rita", title="Rita reads", description="")
    return [
        services.entry_publish(
            blog=blog,
            actor=author,
            title=title,
            body=f"{body} and a long word: {LONG_WORD}.\n\n```\n{'code ' * 60}\n```",
        )
        for title, body in (
            ("Garlic soup", "A *warming* soup of garlic, bread and broth"),
            ("Onion tart", "Slow onions on a crisp base, with garlic if you like"),
        )
    ]


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_searching_from_the_header_box_shows_marked_results(new_page, site, screenshot, viewport):
    a_blog_with_entries()
    page = new_page(viewport)
    page.goto(site)

    box = page.locator("header .site-search input[name=q]")
    expect(box).to_be_visible()
    box.fill("garlic")
    box.press("Enter")

    expect(page).to_have_url(f"{site}/search?q=garlic")
    expect(page.locator(".result")).to_have_count(2)
    expect(page.locator(".result__title").first).to_have_text("Garlic soup")  # title first
    expect(page.locator(".result__snippet mark").first).to_have_text("garlic")
    assert page_width(page) <= viewport["width"]
    screenshot(page, f"search-{viewport['width']}")

    page.locator(".result__title a").first.click()
    expect(page.locator("h1")).to_have_text("Garlic soup")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_home_and_blog_show_excerpts_and_entries_link_to_each_other(
    new_page, site, screenshot, viewport
):
    older, newer = a_blog_with_entries()
    page = new_page(viewport)

    page.goto(site)
    expect(page.locator("article.entry")).to_have_count(2)
    expect(page.locator(".entry__excerpt").first).to_contain_text("Slow onions on a crisp base")
    expect(page.locator("#home-blogs-title")).to_be_visible()
    assert page_width(page) <= viewport["width"]
    screenshot(page, f"home-{viewport['width']}")

    page.goto(f"{site}/blogs/rita")
    expect(page.locator(".entry__more a")).to_have_count(2)
    expect(page.locator(".prose")).to_have_count(0)  # no whole bodies on a list
    assert page_width(page) <= viewport["width"]
    screenshot(page, f"blog-{viewport['width']}")

    page.locator(".entry__more a").first.click()
    expect(page.locator("h1")).to_have_text("Onion tart")
    page.locator(".entry-nav__older").click()
    expect(page.locator("h1")).to_have_text("Garlic soup")
    expect(page.locator(".entry-nav__newer")).to_contain_text("Onion tart")
    assert page_width(page) <= viewport["width"]
    screenshot(page, f"entry-{viewport['width']}")


def test_feeds_are_announced_in_the_head_and_answer_atom(new_page, site):
    a_blog_with_entries()
    page = new_page()
    page.goto(f"{site}/blogs/rita")

    links = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    expect(links).to_have_count(2)
    hrefs = [links.nth(n).get_attribute("href") for n in range(2)]
    assert hrefs == ["/feed", "/blogs/rita/feed"]
    for href in hrefs:
        response = page.request.get(f"{site}{href}")
        assert response.ok
        feed = feedparser.parse(response.body())
        assert not feed.bozo
        assert {entry.title for entry in feed.entries} == {"Garlic soup", "Onion tart"}


def test_the_search_form_works_without_javascript(browser, site):
    a_blog_with_entries()
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{site}/search")
        page.fill("#search-page-q", "onion")
        page.click(".search-form button")
        expect(page.locator(".result__title")).to_have_text(["Onion tart"])
    finally:
        context.close()


def gap_under_header(page) -> float:
    """Pixels between the site header's bottom and the top of the page's first content."""
    return page.evaluate(
        """() => {
            const header = document.querySelector('body > header').getBoundingClientRect();
            const first = document.querySelector('main').firstElementChild;
            return first.getBoundingClientRect().top - header.bottom;
        }"""
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_public_page_leaves_room_under_the_header(new_page, site, viewport):
    older, _ = a_blog_with_entries()
    page = new_page(viewport)
    # The entry page starts with its breadcrumb, a line of small text with no margin of
    # its own: main's padding alone keeps it off the header (a shorthand once undid it).
    for path in ("", "/blogs/rita", f"/blogs/rita/entries/{older.pk}", "/authors/rita"):
        page.goto(f"{site}{path}")
        assert gap_under_header(page) >= 16, path
