"""The account page /my/account: change the password, delete the account."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from contexts.accounts import api as accounts_api
from contexts.blog import selectors
from contexts.blog.models import Author
from contexts.blog.web.auth import author_required, sign_in, sign_out
from contexts.blog.web.errors import add_context_error
from contexts.blog.web.forms import AccountDeleteForm, PasswordChangeForm
from contexts.blog.web.views import HTTP_TOO_MANY_REQUESTS, _posted
from contexts.kernel.errors import ContextError


def _throttled(form, exc: accounts_api.SignInThrottled, field: str) -> None:
    form.add_error(
        field,
        f"Too many wrong passwords. Please wait {exc.retry_after} seconds and try again.",
    )


def _account_or_sign_out(request: HttpRequest, author: Author):
    """Return the accounts context's account of `author`, or None when it is gone."""
    try:
        return accounts_api.account_get(account_id=author.account_id)
    except accounts_api.AccountNotFound:
        sign_out(request, keep_texts=False)
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@author_required
def account(request: HttpRequest, *, author: Author) -> HttpResponse:
    """The signed-in account, and the form that changes its password."""
    found = _account_or_sign_out(request, author)
    if found is None:
        return HttpResponseRedirect(reverse("blog_web:signin"))
    form = PasswordChangeForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            changed = accounts_api.account_password_change(
                account_id=author.account_id,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except accounts_api.WrongPassword:
            form.add_error("current_password", "This is not your current password.")
        except accounts_api.SignInThrottled as exc:
            _throttled(form, exc, "current_password")
            status = HTTP_TOO_MANY_REQUESTS
        except ContextError as exc:
            add_context_error(form, exc)
        else:
            # This browser stays signed in, under a new session key and the new
            # generation; every other session and token of the account has ended.
            sign_in(
                request,
                account_id=changed.id,
                name=changed.name,
                credentials_generation=changed.credentials_generation,
            )
            messages.success(
                request,
                "Password changed. Every other browser and app signed in to your account "
                "has been signed out.",
            )
            return HttpResponseRedirect(reverse("blog_web:account"))
    blogs = selectors.blog_list_by_owner(author=author).count()
    context = {"account": found, "form": form, "blog_count": blogs}
    return render(request, "blog/my/account.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@author_required
def account_delete(request: HttpRequest, *, author: Author) -> HttpResponse:
    """GET asks for the password; POST deletes the account, its blogs and entries."""
    form = AccountDeleteForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            accounts_api.account_delete(
                account_id=author.account_id, password=form.cleaned_data["password"]
            )
        except accounts_api.WrongPassword:
            form.add_error("password", "This is not your password. Nothing was deleted.")
        except accounts_api.SignInThrottled as exc:
            _throttled(form, exc, "password")
            status = HTTP_TOO_MANY_REQUESTS
        except accounts_api.AccountNotFound:
            sign_out(request, keep_texts=False)
            return HttpResponseRedirect(reverse("blog_web:home"))
        else:
            # Its blogs and entries follow through the AccountDeleted event.
            sign_out(request, keep_texts=False)
            messages.info(
                request,
                f"Your account “{author.name}” has been deleted, with its blogs and entries. "
                "You are signed out.",
            )
            return HttpResponseRedirect(reverse("blog_web:home"))
    blogs = selectors.blog_list_by_owner(author=author)
    context = {"form": form, "blogs": blogs}
    return render(request, "blog/my/account_delete.html", context, status=status)
