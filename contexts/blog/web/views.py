"""Server-rendered pages of the blog context: thin adapters over services and other apis."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from contexts.accounts import api as accounts_api
from contexts.blog import domain, selectors, services
from contexts.blog.models import Author, Blog, Entry
from contexts.blog.web import kept
from contexts.blog.web.auth import (
    author_required,
    current_author,
    safe_next,
    sign_in,
    sign_out,
    writer_required,
)
from contexts.blog.web.errors import add_context_error, context_errors_as_pages
from contexts.blog.web.forms import (
    BlogCreateForm,
    BlogEditForm,
    EntryForm,
    EntryPreviewForm,
    SignInForm,
    SignUpForm,
)
from contexts.kernel.errors import ContextError, Unavailable
from contexts.kernel.http.client import client_address
from contexts.kernel.prepared import Window
from contexts.kernel.text import seconds_words
from contexts.kernel.urls import path_of
from contexts.renderer import api as renderer_api

BLOGS_PER_PAGE = 10
ENTRIES_PER_PAGE = 5
HOME_ENTRIES_PER_PAGE = 10
# The blogs with entries shown under the newest entries (all of them at /blogs).
HOME_BLOGS = 10
MANAGED_ENTRIES_PER_PAGE = 10
HTTP_TOO_MANY_REQUESTS = 429
HTTP_UNAVAILABLE = 503
ACCOUNTS_UNAVAILABLE = (
    "Signing in and signing up are temporarily unavailable. Please try again in a minute."
)
# The live preview posts here (api-v1.md, "Rendering").
RENDER_API_URL = "/api/v1/render"

logger = logging.getLogger(__name__)

# Errors without field messages still belong next to a field.
ACCOUNT_ERROR_FIELDS = {
    "name_taken": "name",
    "invalid_name": "name",
    "invalid_password": "password",
}
BLOG_ERROR_FIELDS = {"path_taken": "path"}
ENTRY_ERROR_FIELDS = {"too_large": "body"}
# Marks the message of a successful save: the editor's script then forgets the text it
# kept for the submission (static/blog/editor.js).
SAVED_TAG = "entry-saved"


def _page(request: HttpRequest, rows: QuerySet | Window, per_page: int) -> Page:
    """Return the requested page of `rows` (a bad or too large ?page= gives a real page)."""
    paginator = Paginator(rows, per_page)
    return paginator.get_page(request.GET.get("page"))


def _posted(request: HttpRequest):
    """Return the POST data to bind a form to (even when empty), or None on GET."""
    return request.POST if request.method == "POST" else None


def _owned_blog(author: Author, path: str) -> Blog:
    """Return the blog at `path` if `author` owns it; 404 if none, 403 if another's."""
    blog = selectors.blog_get(path=path)
    if blog.owner_id != author.pk:
        raise PermissionDenied("This blog belongs to another author.")
    return blog


def _after_sign_in(request: HttpRequest) -> HttpResponseRedirect:
    target = safe_next(request, request.POST.get("next")) or reverse("blog_web:my_blogs")
    return HttpResponseRedirect(target)


def _already_signed_in(request: HttpRequest) -> HttpResponseRedirect | None:
    """Send a signed-in visitor of the sign-in or sign-up form on, rather than show it."""
    if request.method == "POST":
        return None  # a form sent from an older page: let it sign in (or up) again
    author = current_author(request)
    if author is None:
        return None
    messages.info(request, f"You are already signed in as {author.name}.")
    target = safe_next(request, request.GET.get("next")) or reverse("blog_web:my_blogs")
    return HttpResponseRedirect(target)


@require_safe
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """/favicon.ico, which browsers ask for by themselves: the static icon."""
    response = HttpResponseRedirect(static("blog/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


# -- public pages -------------------------------------------------------------------------


def _canonical(request: HttpRequest, path: str, page: Page | None = None) -> str:
    """Return the absolute address of a page (with its page number past the first)."""
    if page is not None and page.number > 1:
        path = f"{path}?page={page.number}"
    return request.build_absolute_uri(path)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The newest published entries of every blog; under them, the blogs with entries."""
    # What home.html shows of each entry, and no more (0.3 ms of a 7 ms cold render).
    shown = ("title", "excerpt", "published_at", "blog__path", "blog__title", "blog__owner__name")
    page = _page(
        request,
        selectors.entry_window_published(only=shown),
        HOME_ENTRIES_PER_PAGE,
    )
    blogs = []
    if page.number == 1:
        blogs = selectors.blog_window_with_entries()[: HOME_BLOGS + 1]
    context = {
        "page": page,
        "blogs": blogs[:HOME_BLOGS],
        "more_blogs": len(blogs) > HOME_BLOGS,
        "canonical": _canonical(request, path_of("blog_web:home"), page),
    }
    return render(request, "blog/public/home.html", context)


@require_safe
def blogs_public(request: HttpRequest) -> HttpResponse:
    """Every blog with at least one published entry, newest first."""
    page = _page(request, selectors.blog_window_with_entries(), BLOGS_PER_PAGE)
    return render(request, "blog/public/blogs.html", {"page": page})


@require_safe
@context_errors_as_pages
def blog_public(request: HttpRequest, path: str) -> HttpResponse:
    """A blog and the excerpts of its published entries, newest first."""
    blog = selectors.blog_get(path=path)
    entries = selectors.entry_window(blog=blog, bodies=False)
    page = _page(request, entries, ENTRIES_PER_PAGE)
    context = {
        "blog": blog,
        "page": page,
        "canonical": _canonical(request, domain.blog_url_path(blog.path), page),
    }
    return render(request, "blog/public/blog.html", context)


@require_safe
@context_errors_as_pages
def entry_public(request: HttpRequest, path: str, entry_id: str) -> HttpResponse:
    """One published entry, with links to the one before and after; its owner also sees
    it while it is a draft."""
    entry = selectors.entry_get_at(path=path, entry_id=entry_id)
    blog = entry.blog
    author = current_author(request)
    if entry.is_draft and (author is None or author.pk != blog.owner_id):
        raise domain.EntryNotFound()
    older, newer = selectors.entry_neighbours(entry=entry)
    context = {
        "blog": blog,
        "entry": entry,
        "older": older,
        "newer": newer,
        "canonical": _canonical(request, domain.entry_url_path(blog.path, entry.public_id)),
        "author_url": _canonical(request, path_of("blog_web:author", blog.owner.name)),
    }
    return render(request, "blog/public/entry.html", context)


@require_safe
@context_errors_as_pages
def author_public(request: HttpRequest, name: str) -> HttpResponse:
    """An author's blogs."""
    author = selectors.author_get_by_name(name=name)
    page = _page(request, selectors.blog_window_by_owner(author=author), BLOGS_PER_PAGE)
    return render(request, "blog/public/author.html", {"author": author, "page": page})


@require_safe
def feed_elsewhere(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """/rss and /atom.xml, where readers often look for a feed: the site's Atom feed."""
    return HttpResponsePermanentRedirect(reverse("blog_web:feed"))


# -- signing up, in and out ---------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Register an account and sign in as it."""
    if redirect := _already_signed_in(request):
        return redirect
    form = SignUpForm(_posted(request))
    status, retry_after = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            account = accounts_api.account_register(
                name=form.cleaned_data["name"], password=form.cleaned_data["password"]
            )
        except Unavailable as exc:
            form.add_error(None, ACCOUNTS_UNAVAILABLE)
            status, retry_after = HTTP_UNAVAILABLE, exc.retry_after
        except ContextError as exc:
            add_context_error(form, exc, field_for_code=ACCOUNT_ERROR_FIELDS)
        else:
            return _signed_in_as(
                request, account, f"Welcome, {account.name}! Your account is ready."
            )
    return _account_form_page(request, "blog/account/signup.html", form, status, retry_after)


@require_http_methods(["GET", "HEAD", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    """Check a name and password and sign in."""
    if redirect := _already_signed_in(request):
        return redirect
    form = SignInForm(_posted(request))
    status = 200
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            account = accounts_api.account_authenticate(
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password"],
                client_address=client_address(request),
            )
        except accounts_api.SignInThrottled as exc:
            retry_after = getattr(exc, "retry_after", None)
            wait = (
                f" Please wait {seconds_words(retry_after)} and try again." if retry_after else ""
            )
            form.add_error(None, f"Too many failed sign-in attempts.{wait}")
            status = HTTP_TOO_MANY_REQUESTS
        except accounts_api.AuthenticationFailed:
            form.add_error(None, "Wrong name or password.")
        except Unavailable as exc:
            form.add_error(None, ACCOUNTS_UNAVAILABLE)
            status, retry_after = HTTP_UNAVAILABLE, exc.retry_after
        except ContextError as exc:
            add_context_error(form, exc, field_for_code=ACCOUNT_ERROR_FIELDS)
        else:
            return _signed_in_as(request, account, f"Signed in as {account.name}.")
    return _account_form_page(request, "blog/account/signin.html", form, status, retry_after)


def _signed_in_as(
    request: HttpRequest, account: accounts_api.Account, message: str
) -> HttpResponse:
    """Sign the browser in as `account` (its author made if late) and go on to `next`."""
    services.author_ensure(account_id=account.id, name=account.name)
    sign_in(
        request,
        account_id=account.id,
        name=account.name,
        credentials_generation=account.credentials_generation,
    )
    messages.success(request, message)
    return _after_sign_in(request)


def _account_form_page(
    request: HttpRequest, template: str, form: Form, status: int, retry_after: int | None
) -> HttpResponse:
    """The sign-up or sign-in form again, with its errors, `next` and any Retry-After."""
    next_path = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    response = render(request, template, {"form": form, "next": next_path}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def signout(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation; POST signs out."""
    if request.method == "POST":
        sign_out(request)
        messages.info(request, "You are signed out.")
        return HttpResponseRedirect(reverse("blog_web:home"))
    return render(request, "blog/account/signout.html")


# -- managing one's blogs -----------------------------------------------------------------


@require_safe
@author_required
def my_blogs(request: HttpRequest, *, author: Author) -> HttpResponse:
    """The signed-in author's blogs."""
    page = _page(request, selectors.blog_list_by_owner(author=author), BLOGS_PER_PAGE)
    return render(request, "blog/my/blogs.html", {"author": author, "page": page})


@require_http_methods(["GET", "HEAD", "POST"])
@author_required
@context_errors_as_pages
def blog_create(request: HttpRequest, *, author: Author) -> HttpResponse:
    """Create a blog."""
    form = BlogCreateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            blog = services.blog_create(owner=author, **form.cleaned_data)
        except ContextError as exc:
            add_context_error(form, exc, field_for_code=BLOG_ERROR_FIELDS)
        else:
            messages.success(request, f"Blog “{blog.title}” created.")
            return HttpResponseRedirect(reverse("blog_web:blog_manage", args=[blog.path]))
    return render(request, "blog/my/blog_form.html", {"form": form, "blog": None})


@require_safe
@author_required
@context_errors_as_pages
def blog_manage(request: HttpRequest, path: str, *, author: Author) -> HttpResponse:
    """One of the author's blogs, with its entries: drafts first, then the published ones."""
    blog = _owned_blog(author, path)
    entries = selectors.entry_list(blog=blog, status="all").defer(*selectors.BODIES)
    page = _page(request, entries, MANAGED_ENTRIES_PER_PAGE)
    return render(request, "blog/my/blog_manage.html", {"blog": blog, "page": page})


@require_http_methods(["GET", "HEAD", "POST"])
@author_required
@context_errors_as_pages
def blog_edit(request: HttpRequest, path: str, *, author: Author) -> HttpResponse:
    """Change a blog's title and description."""
    blog = _owned_blog(author, path)
    initial = {"title": blog.title, "description": blog.description}
    form = BlogEditForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            blog = services.blog_update(blog=blog, actor=author, **form.cleaned_data)
        except ContextError as exc:
            add_context_error(form, exc)
        else:
            messages.success(request, "Blog saved.")
            return HttpResponseRedirect(reverse("blog_web:blog_manage", args=[blog.path]))
    return render(request, "blog/my/blog_form.html", {"form": form, "blog": blog})


@require_http_methods(["GET", "HEAD", "POST"])
@author_required
@context_errors_as_pages
def blog_delete(request: HttpRequest, path: str, *, author: Author) -> HttpResponse:
    """GET asks for confirmation; POST deletes the blog and its entries."""
    blog = _owned_blog(author, path)
    if request.method == "POST":
        services.blog_delete(blog=blog, actor=author)
        messages.success(request, f"Blog “{blog.title}” deleted.")
        return HttpResponseRedirect(reverse("blog_web:my_blogs"))
    return render(request, "blog/my/blog_delete.html", {"blog": blog})


# -- writing entries ----------------------------------------------------------------------


def _preview(form: EntryForm) -> str | None:
    """Render the form's body for the no-JavaScript preview, or add an error and say None."""
    try:
        return renderer_api.render(form.cleaned_data["body"]).html
    except ContextError as exc:
        add_context_error(form, exc, field_for_code=ENTRY_ERROR_FIELDS)
    except Exception:
        # A renderer failure must not cost the writer the text in the form.
        logger.exception("The preview could not be rendered.")
        form.add_error(None, "The preview is unavailable right now; you can still save.")
    return None


def _editor_blog(request: HttpRequest, author: Author, path: str) -> Blog | None:
    """Return the blog of this editor, or None when its kept text is another account's.

    A text kept while the session had ended (web.kept) opens only for the blog's owner;
    anyone else signed in is told so, and the text waits for the owner.
    """
    blog = selectors.blog_get(path=path)
    if blog.owner_id != author.pk and kept.has(request.session, request.path):
        messages.warning(
            request,
            f"The text kept for “{blog.title}” was not opened: that blog belongs to another "
            "account. Sign in as its owner to get the text back.",
        )
        return None
    return _owned_blog(author, path)


def _editor_action(request: HttpRequest) -> str | None:
    """Return what the editor's form asks: "preview", "publish", "save", or None (a GET)."""
    if request.method != "POST":
        return None
    if "preview" in request.POST:
        return "preview"
    # Any other submission, Enter in a field included, saves without publishing.
    return "publish" if "publish" in request.POST else "save"


def _editor(request: HttpRequest, *, blog: Blog, entry: Entry | None, author: Author):
    """The entry editor: save (a draft stays a draft), publish, or preview without JS."""
    action = _editor_action(request)
    initial = None if entry is None else {"title": entry.title, "body": entry.body}
    restored = kept.take(request.session, request.path) if action is None else None
    if restored is not None:
        initial = {"title": restored["title"], "body": restored["body"]}
        messages.info(
            request,
            "Here is the text you sent when your session had ended. It is not saved yet: "
            "save it or publish it.",
        )
    form_class = EntryPreviewForm if action == "preview" else EntryForm
    form = form_class(_posted(request), initial=initial)
    preview_html = entry.body_html if entry is not None and entry.rendered else None
    if action == "preview" and form.is_valid():
        preview_html = _preview(form)
    elif action is not None and form.is_valid():
        status = domain.PUBLISHED if action == "publish" else None
        try:
            if entry is None:
                saved = services.entry_create(
                    blog=blog, actor=author, status=status or domain.DRAFT, **form.cleaned_data
                )
            else:
                saved = services.entry_edit(
                    entry=entry, actor=author, status=status, **form.cleaned_data
                )
        except ContextError as exc:
            add_context_error(form, exc, field_for_code=ENTRY_ERROR_FIELDS)
        else:
            return _after_save(request, blog=blog, entry=saved, published_now=status is not None)
    context = {
        "blog": blog,
        "entry": entry,
        "form": form,
        "preview_html": preview_html,
        "render_api_url": RENDER_API_URL,
        # The text on the page is not what the server holds: the editor's script treats
        # it as unsaved changes (leave warning, autosave).
        "unsaved": action is not None or restored is not None,
    }
    return render(request, "blog/my/entry_form.html", context)


def _after_save(
    request: HttpRequest, *, blog: Blog, entry: Entry, published_now: bool
) -> HttpResponseRedirect:
    if entry.is_draft:
        # Back to the editor: a draft is saved to go on writing it.
        messages.success(
            request,
            "Draft saved. Only you can see it until you publish it.",
            extra_tags=SAVED_TAG,
        )
        return HttpResponseRedirect(reverse("blog_web:entry_edit", args=[blog.path, entry.pk]))
    text = "published" if published_now else "saved"
    messages.success(request, f"Entry “{entry.title}” {text}.", extra_tags=SAVED_TAG)
    return HttpResponseRedirect(reverse("blog_web:entry_manage", args=[blog.path, entry.pk]))


@require_http_methods(["GET", "HEAD", "POST"])
@writer_required
@context_errors_as_pages
def entry_publish(request: HttpRequest, path: str, *, author: Author) -> HttpResponse:
    """Write a new entry: save it as a draft (the default action) or publish it."""
    blog = _editor_blog(request, author, path)
    if blog is None:
        return HttpResponseRedirect(reverse("blog_web:my_blogs"))
    return _editor(request, blog=blog, entry=None, author=author)


@require_safe
@author_required
@context_errors_as_pages
def entry_manage(request: HttpRequest, path: str, entry_id: str, *, author: Author) -> HttpResponse:
    """One of the author's entries, draft or published, with its actions."""
    blog = _owned_blog(author, path)
    entry = selectors.entry_get(blog=blog, entry_id=entry_id, include_drafts=True)
    return render(request, "blog/my/entry_manage.html", {"blog": blog, "entry": entry})


@require_http_methods(["GET", "HEAD", "POST"])
@writer_required
@context_errors_as_pages
def entry_edit(request: HttpRequest, path: str, entry_id: str, *, author: Author) -> HttpResponse:
    """Change an entry; a draft may be published from here."""
    blog = _editor_blog(request, author, path)
    if blog is None:
        return HttpResponseRedirect(reverse("blog_web:my_blogs"))
    entry = selectors.entry_get(blog=blog, entry_id=entry_id, include_drafts=True)
    return _editor(request, blog=blog, entry=entry, author=author)


@require_POST
@author_required
@context_errors_as_pages
def entry_publish_draft(
    request: HttpRequest, path: str, entry_id: str, *, author: Author
) -> HttpResponse:
    """Publish a draft as it is (the button on its page)."""
    blog = _owned_blog(author, path)
    entry = selectors.entry_get(blog=blog, entry_id=entry_id, include_drafts=True)
    try:
        services.entry_edit(entry=entry, actor=author, status=domain.PUBLISHED)
    except domain.InvalidBlogInput as exc:
        for messages_of_field in exc.fields.values():
            for text in messages_of_field:
                messages.error(request, text)
        return HttpResponseRedirect(reverse("blog_web:entry_edit", args=[blog.path, entry.pk]))
    messages.success(request, f"Entry “{entry.title}” published.", extra_tags=SAVED_TAG)
    return HttpResponseRedirect(reverse("blog_web:entry_manage", args=[blog.path, entry.pk]))


@require_http_methods(["GET", "HEAD", "POST"])
@author_required
@context_errors_as_pages
def entry_unpublish(
    request: HttpRequest, path: str, entry_id: str, *, author: Author
) -> HttpResponse:
    """GET asks for confirmation; POST returns the entry to draft."""
    blog = _owned_blog(author, path)
    entry = selectors.entry_get(blog=blog, entry_id=entry_id, include_drafts=True)
    manage = reverse("blog_web:entry_manage", args=[blog.path, entry.pk])
    if entry.is_draft:
        messages.info(request, f"“{entry.title}” is a draft already.")
        return HttpResponseRedirect(manage)
    if request.method == "POST":
        services.entry_unpublish(entry=entry, actor=author)
        messages.success(
            request, f"Entry “{entry.title}” unpublished: it is a draft again, seen only by you."
        )
        return HttpResponseRedirect(manage)
    return render(request, "blog/my/entry_unpublish.html", {"blog": blog, "entry": entry})
