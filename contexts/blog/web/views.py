"""Server-rendered pages of the blog context: thin adapters over services and other apis."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from contexts.accounts import api as accounts_api
from contexts.blog import selectors, services
from contexts.blog.models import Author, Blog
from contexts.blog.web.auth import author_required, safe_next, sign_in, sign_out
from contexts.blog.web.errors import add_context_error, context_errors_as_pages
from contexts.blog.web.forms import (
    BlogCreateForm,
    BlogEditForm,
    EntryForm,
    SignInForm,
    SignUpForm,
)
from contexts.kernel.errors import ContextError
from contexts.kernel.http.client import client_address
from contexts.renderer import api as renderer_api

BLOGS_PER_PAGE = 10
ENTRIES_PER_PAGE = 5
MANAGED_ENTRIES_PER_PAGE = 10
HTTP_TOO_MANY_REQUESTS = 429
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


def _page(request: HttpRequest, rows: QuerySet, per_page: int) -> Page:
    """Return the requested page of `rows` (a bad or too large ?page= gives a real page)."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


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


# -- public pages -------------------------------------------------------------------------


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Every blog, newest first."""
    page = _page(request, selectors.blog_list(), BLOGS_PER_PAGE)
    return render(request, "blog/public/home.html", {"page": page})


@require_safe
@context_errors_as_pages
def blog_public(request: HttpRequest, path: str) -> HttpResponse:
    """A blog and its published entries, newest first."""
    blog = selectors.blog_get(path=path)
    page = _page(request, selectors.entry_list(blog=blog), ENTRIES_PER_PAGE)
    return render(request, "blog/public/blog.html", {"blog": blog, "page": page})


@require_safe
@context_errors_as_pages
def entry_public(request: HttpRequest, path: str, entry_id: str) -> HttpResponse:
    """One published entry."""
    blog = selectors.blog_get(path=path)
    entry = selectors.entry_get(blog=blog, entry_id=entry_id)
    return render(request, "blog/public/entry.html", {"blog": blog, "entry": entry})


@require_safe
@context_errors_as_pages
def author_public(request: HttpRequest, name: str) -> HttpResponse:
    """An author's blogs."""
    author = selectors.author_get_by_name(name=name)
    page = _page(request, selectors.blog_list_by_owner(author=author), BLOGS_PER_PAGE)
    return render(request, "blog/public/author.html", {"author": author, "page": page})


# -- signing up, in and out ---------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Register an account and sign in as it."""
    form = SignUpForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            account = accounts_api.account_register(
                name=form.cleaned_data["name"], password=form.cleaned_data["password"]
            )
        except ContextError as exc:
            add_context_error(form, exc, field_for_code=ACCOUNT_ERROR_FIELDS)
        else:
            services.author_ensure(account_id=account.id, name=account.name)
            sign_in(request, account_id=account.id, name=account.name)
            messages.success(request, f"Welcome, {account.name}! Your account is ready.")
            return _after_sign_in(request)
    next_path = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    return render(request, "blog/account/signup.html", {"form": form, "next": next_path})


@require_http_methods(["GET", "HEAD", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    """Check a name and password and sign in."""
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
            wait = f" Please wait {retry_after} seconds and try again." if retry_after else ""
            form.add_error(None, f"Too many failed sign-in attempts.{wait}")
            status = HTTP_TOO_MANY_REQUESTS
        except accounts_api.AuthenticationFailed:
            form.add_error(None, "Wrong name or password.")
        except ContextError as exc:
            add_context_error(form, exc, field_for_code=ACCOUNT_ERROR_FIELDS)
        else:
            services.author_ensure(account_id=account.id, name=account.name)
            sign_in(request, account_id=account.id, name=account.name)
            messages.success(request, f"Signed in as {account.name}.")
            return _after_sign_in(request)
    next_path = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    response = render(
        request, "blog/account/signin.html", {"form": form, "next": next_path}, status=status
    )
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
    """One of the author's blogs, with its entries."""
    blog = _owned_blog(author, path)
    page = _page(request, selectors.entry_list(blog=blog), MANAGED_ENTRIES_PER_PAGE)
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
        form.add_error(None, "The preview is unavailable right now; you can still publish.")
    return None


def _entry_form_page(
    request: HttpRequest, *, blog: Blog, entry, form: EntryForm, preview_html: str | None
) -> HttpResponse:
    context = {
        "blog": blog,
        "entry": entry,
        "form": form,
        "preview_html": preview_html,
        "render_api_url": RENDER_API_URL,
    }
    return render(request, "blog/my/entry_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@author_required
@context_errors_as_pages
def entry_publish(request: HttpRequest, path: str, *, author: Author) -> HttpResponse:
    """Write and publish an entry; the Preview button renders it without publishing."""
    blog = _owned_blog(author, path)
    form = EntryForm(_posted(request))
    preview_html = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview_html = _preview(form)
        else:
            try:
                entry = services.entry_publish(blog=blog, actor=author, **form.cleaned_data)
            except ContextError as exc:
                add_context_error(form, exc, field_for_code=ENTRY_ERROR_FIELDS)
            else:
                messages.success(request, f"Entry “{entry.title}” published.")
                return HttpResponseRedirect(
                    reverse("blog_web:entry_manage", args=[blog.path, entry.pk])
                )
    return _entry_form_page(request, blog=blog, entry=None, form=form, preview_html=preview_html)


@require_safe
@author_required
@context_errors_as_pages
def entry_manage(request: HttpRequest, path: str, entry_id: str, *, author: Author) -> HttpResponse:
    """One of the author's entries, with its edit and unpublish actions."""
    blog = _owned_blog(author, path)
    entry = selectors.entry_get(blog=blog, entry_id=entry_id)
    return render(request, "blog/my/entry_manage.html", {"blog": blog, "entry": entry})


@require_http_methods(["GET", "HEAD", "POST"])
@author_required
@context_errors_as_pages
def entry_edit(request: HttpRequest, path: str, entry_id: str, *, author: Author) -> HttpResponse:
    """Change an entry's title and body; it is rendered again."""
    blog = _owned_blog(author, path)
    entry = selectors.entry_get(blog=blog, entry_id=entry_id)
    form = EntryForm(_posted(request), initial={"title": entry.title, "body": entry.body})
    preview_html = entry.body_html if entry.rendered else None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview_html = _preview(form)
        else:
            try:
                entry = services.entry_edit(entry=entry, actor=author, **form.cleaned_data)
            except ContextError as exc:
                add_context_error(form, exc, field_for_code=ENTRY_ERROR_FIELDS)
            else:
                messages.success(request, "Entry saved.")
                return HttpResponseRedirect(
                    reverse("blog_web:entry_manage", args=[blog.path, entry.pk])
                )
    return _entry_form_page(request, blog=blog, entry=entry, form=form, preview_html=preview_html)


@require_http_methods(["GET", "HEAD", "POST"])
@author_required
@context_errors_as_pages
def entry_unpublish(
    request: HttpRequest, path: str, entry_id: str, *, author: Author
) -> HttpResponse:
    """GET asks for confirmation; POST hides the entry from everyone."""
    blog = _owned_blog(author, path)
    entry = selectors.entry_get(blog=blog, entry_id=entry_id)
    if request.method == "POST":
        services.entry_unpublish(entry=entry, actor=author)
        messages.success(request, f"Entry “{entry.title}” unpublished.")
        return HttpResponseRedirect(reverse("blog_web:blog_manage", args=[blog.path]))
    return render(request, "blog/my/entry_unpublish.html", {"blog": blog, "entry": entry})
