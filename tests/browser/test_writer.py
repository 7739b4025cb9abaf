"""The writer's experience in a real browser: drafts, never losing a text, the account page."""

import re

import pytest
from playwright.sync_api import expect

from contexts.blog.models import Entry
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

PASSWORD = "correct-horse-battery-9"
NEW_PASSWORD = "another-horse-staple-7"
LONG_LINE = "x = [" + ", ".join(f'"item-{n:04d}"' for n in range(80)) + "]"
BODY_WITH_CODE = f"Some *words* first.\n\n```python\n{LONG_LINE}\n```\n\nAnd `{LONG_LINE[:120]}`."


def sign_up(page, site: str, name: str) -> None:
    page.goto(f"{site}/signup")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("text=Create my account")
    expect(page.locator(".site-nav__who")).to_contain_text(name)


def sign_in(page, site: str, name: str, password: str = PASSWORD) -> None:
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("form button:has-text('Sign in')")


def create_blog(page, site: str, path: str = "notes") -> None:
    page.goto(f"{site}/my/blogs/-/create")
    page.fill("input[name=path]", path)
    page.fill("input[name=title]", "My notes")
    page.fill("textarea[name=description]", "First line\nSecond line")
    page.click("text=Create blog")
    expect(page.locator("h1")).to_have_text("My notes")


def writer(new_page, site: str, name: str = "wendy", viewport: dict = DESKTOP):
    """A page signed up as `name`, with the blog "notes"."""
    page = new_page(viewport)
    sign_up(page, site, name)
    create_blog(page, site)
    return page


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def only_entry() -> Entry:
    return Entry.objects.get()


# --- the journey ---------------------------------------------------------------------------


def test_the_writers_journey(new_page, site, screenshot):
    page = writer(new_page, site)
    reader = new_page()
    editor = f"{site}/my/blogs/notes/entries/-/publish"

    page.goto(editor)
    page.fill("input[name=title]", "Hello")
    page.locator("textarea[name=body]").press_sequentially("A *live* preview")
    expect(page.locator("[data-preview-pane] em")).to_have_text("live")

    page.click("button[name=save]")
    expect(page.locator(".messages")).to_contain_text("Draft saved")
    entry = only_entry()
    assert entry.status == "draft"
    reader.goto(f"{site}/blogs/notes/entries/{entry.pk}")
    expect(reader.locator("h1")).to_have_text("Page not found")

    page.click("button[name=publish]")
    expect(page.locator(".messages")).to_contain_text("published")
    reader.reload()
    expect(reader.locator("h1")).to_have_text("Hello")
    expect(reader.locator(".prose em")).to_have_text("live")

    page.click("text=Edit")
    page.fill("textarea[name=body]", "An **edited** text")
    page.click("button[name=save]")
    expect(page.locator(".messages")).to_contain_text("saved")
    reader.reload()
    expect(reader.locator(".prose strong")).to_have_text("edited")

    page.click(".actions >> text=Unpublish")
    page.click("form button:has-text('Unpublish')")
    expect(page.locator(".messages")).to_contain_text("draft again")
    reader.reload()
    expect(reader.locator("h1")).to_have_text("Page not found")

    page.click("button:has-text('Publish')")
    expect(page.locator(".messages")).to_contain_text("published")
    reader.reload()
    expect(reader.locator("h1")).to_have_text("Hello")
    assert only_entry().status == "published"
    screenshot(page, "entry-desktop")


def test_enter_in_the_title_saves_a_draft_and_never_publishes(new_page, site):
    page = writer(new_page, site)
    page.goto(f"{site}/my/blogs/notes/entries/-/publish")
    page.fill("textarea[name=body]", "Not ready")

    page.fill("input[name=title]", "Typed, then Enter")
    page.press("input[name=title]", "Enter")

    expect(page.locator(".messages")).to_contain_text("Draft saved")
    assert only_entry().status == "draft"


# --- never lose a text ---------------------------------------------------------------------


def test_a_text_sent_after_signing_out_elsewhere_comes_back_after_signing_in(new_page, site):
    page = writer(new_page, site)
    page.goto(f"{site}/my/blogs/notes/entries/-/publish")
    page.fill("input[name=title]", "Precious")
    page.fill("textarea[name=body]", "Hours of *work*")
    other_tab = page.context.new_page()
    other_tab.goto(f"{site}/signout")
    other_tab.click("form button:has-text('Sign out')")

    page.click("button[name=publish]")

    expect(page).to_have_url(re.compile(r"/signin\?next="))
    expect(page.locator(".messages")).to_contain_text("your text is kept")
    sign_in(page, site, "wendy")
    expect(page.locator("input[name=title]")).to_have_value("Precious")
    expect(page.locator("textarea[name=body]")).to_have_value("Hours of *work*")
    assert not Entry.objects.exists()
    page.click("button[name=save]")
    expect(page.locator(".messages")).to_contain_text("Draft saved")
    assert only_entry().body == "Hours of *work*"


def test_leaving_the_editor_with_unsaved_changes_asks_first(new_page, site):
    page = writer(new_page, site)
    page.goto(f"{site}/my/blogs/notes/entries/-/publish")
    page.locator("textarea[name=body]").press_sequentially("Unsaved words")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        if len(asked) == 1:
            dialog.dismiss()  # stay
        else:
            dialog.accept()  # leave

    page.on("dialog", answer)
    page.click(".form-actions >> text=Cancel", no_wait_after=True)
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    expect(page.locator("textarea[name=body]")).to_have_value("Unsaved words")

    page.click(".form-actions >> text=Cancel")
    expect(page).to_have_url(f"{site}/my/blogs/notes")
    assert asked == ["beforeunload", "beforeunload"]


def test_saving_does_not_ask_and_a_saved_editor_leaves_quietly(new_page, site):
    page = writer(new_page, site)
    page.goto(f"{site}/my/blogs/notes/entries/-/publish")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.fill("input[name=title]", "Saved")
    page.locator("textarea[name=body]").press_sequentially("Kept")

    page.click("button[name=save]")
    expect(page.locator(".messages")).to_contain_text("Draft saved")
    page.click(".form-actions >> text=Cancel")

    expect(page.locator("h1")).to_have_text("Saved")
    assert asked == []


def test_a_closed_tab_is_recovered_from_the_browsers_autosave(new_page, site):
    page = writer(new_page, site)
    editor = f"{site}/my/blogs/notes/entries/-/publish"
    page.goto(editor)
    page.fill("input[name=title]", "Crash")
    page.locator("textarea[name=body]").press_sequentially("Text before the crash")
    page.wait_for_timeout(600)  # the autosave's pause
    context = page.context
    page.close()

    again = context.new_page()
    again.goto(editor)
    banner = again.locator("[data-editor-recovery]")
    expect(banner).to_be_visible()
    expect(again.locator("textarea[name=body]")).to_have_value("")
    again.click("[data-editor-restore]")
    expect(again.locator("textarea[name=body]")).to_have_value("Text before the crash")
    expect(again.locator("input[name=title]")).to_have_value("Crash")
    expect(banner).to_be_hidden()
    expect(again.locator("[data-preview-pane]")).to_contain_text("Text before the crash")

    again.click("button[name=save]")
    expect(again.locator(".messages")).to_contain_text("Draft saved")
    again.goto(editor)
    expect(again.locator("[data-editor-recovery]")).to_be_hidden()


# --- the account page ----------------------------------------------------------------------


def test_the_account_page_changes_the_password_and_deletes_the_account(new_page, site):
    page = writer(new_page, site)
    elsewhere = new_page()
    elsewhere.goto(f"{site}/signin")
    sign_in(elsewhere, site, "wendy")
    expect(elsewhere.locator(".site-nav__who")).to_contain_text("wendy")

    page.click(".site-nav >> text=Account")
    page.fill("input[name=current_password]", PASSWORD)
    page.fill("input[name=new_password]", "wendy12345")
    page.fill("input[name=new_password_again]", "wendy12345")
    page.click("text=Change password")
    expect(page.locator("#id_new_password_error")).to_contain_text("too similar to the name")

    page.fill("input[name=current_password]", PASSWORD)
    page.fill("input[name=new_password]", NEW_PASSWORD)
    page.fill("input[name=new_password_again]", NEW_PASSWORD)
    page.click("text=Change password")
    expect(page.locator(".messages")).to_contain_text("Password changed")

    elsewhere.goto(f"{site}/my/blogs")
    expect(elsewhere).to_have_url(re.compile(r"/signin\?next=/my/blogs$"))
    page.goto(f"{site}/my/blogs")
    expect(page.locator("h1")).to_have_text("My blogs")

    page.goto(f"{site}/my/account")
    page.click("text=Delete my account…")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Delete my account')")
    expect(page.locator("#id_password_error")).to_contain_text("Nothing was deleted")
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("button:has-text('Delete my account')")

    expect(page).to_have_url(f"{site}/")
    expect(page.locator(".messages")).to_contain_text("has been deleted")
    expect(page.locator(".site-nav")).to_contain_text("Sign in")
    page.goto(f"{site}/blogs/notes")
    expect(page.locator("h1")).to_have_text("Page not found")


# --- layout --------------------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_long_code_line_never_widens_the_page(new_page, site, screenshot, viewport, name):
    page = writer(new_page, site, viewport=viewport)
    page.goto(f"{site}/my/blogs/notes/entries/-/publish")
    page.fill("input[name=title]", "Wide code")
    page.fill("textarea[name=body]", BODY_WITH_CODE)
    expect(page.locator("[data-preview-pane] pre")).to_be_visible()

    assert page_width(page) <= viewport["width"]
    for control in ("textarea[name=body]", "button[name=publish]", "button[name=preview]"):
        box = page.locator(control).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], control
    screenshot(page, f"editor-{name}")

    page.click("button[name=publish]")
    expect(page.locator(".messages")).to_contain_text("published")
    for url in (f"/blogs/notes/entries/{only_entry().pk}", "/blogs/notes", "/my/blogs/notes"):
        page.goto(site + url)
        assert page_width(page) <= viewport["width"], url
    screenshot(page, f"manage-{name}")


@pytest.mark.parametrize("viewport", [PHONE, {"width": 800, "height": 700}, DESKTOP])
def test_the_header_search_box_shows_its_whole_placeholder_when_signed_in(new_page, site, viewport):
    page = writer(new_page, site, name="alice", viewport=viewport)  # a name that fits the row
    box = page.locator("#site-search-q")

    # The text the box would need in its own font, plus 1em for the clear button a search
    # box shows once typed in, against the room it has for text.
    needed = box.evaluate(
        """input => {
            const style = getComputedStyle(input);
            const context = document.createElement("canvas").getContext("2d");
            context.font = `${style.fontSize} ${style.fontFamily}`;
            return context.measureText(input.placeholder).width + parseFloat(style.fontSize);
        }"""
    )
    room = box.evaluate(
        """input => { const style = getComputedStyle(input);
            return input.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight); }"""
    )
    assert room >= needed, (room, needed)
    assert page_width(page) <= viewport["width"]


def test_the_entries_actions_on_a_phone_wrap_between_words_never_inside_one(new_page, site):
    page = writer(new_page, site, viewport=PHONE)
    page.goto(f"{site}/my/blogs/notes/entries/-/publish")
    page.fill("input[name=title]", "Weeknight spaghetti aglio e olio")
    page.fill("textarea[name=body]", "Some words.")
    page.click("button[name=publish]")
    expect(page.locator(".messages")).to_contain_text("published")

    page.goto(f"{site}/my/blogs/notes")

    actions = page.locator(".table__actions a")
    assert actions.count() == 2
    for link in actions.all():  # one box per link: "Unpubli" over "sh" would be two
        assert link.evaluate("a => a.getClientRects().length") == 1, link.inner_text()
    assert page_width(page) <= PHONE["width"]


def test_the_favicon_and_the_description_line_breaks(new_page, site):
    page = writer(new_page, site)

    response = page.goto(f"{site}/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    page.goto(f"{site}/blogs/notes")
    assert page.locator(".lead br").count() == 1
