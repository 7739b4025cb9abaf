"""Forms of the web UI: field names are the REST API's (name, password, path, ...)."""

from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from contexts.accounts import api as accounts_api
from contexts.blog import domain
from contexts.kernel.text import text_problem

# The forms take their limits from the rules' homes (the blog's domain, the accounts
# api) so that browsers can show them (maxlength); the api still checks every value and
# its errors land on the same fields.


class TextField(forms.CharField):
    """A CharField held to the kernel's character rule, as the API's fields are."""

    def __init__(self, *, multiline: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.multiline = multiline
        # The character rule refuses NUL too, with the same message.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and (problem := text_problem(value, multiline=self.multiline)):
            raise forms.ValidationError(problem, code="invalid_characters")


class SignUpForm(forms.Form):
    name = TextField(
        max_length=accounts_api.NAME_MAX_LENGTH,
        help_text=f"{accounts_api.NAME_MIN_LENGTH}-{accounts_api.NAME_MAX_LENGTH} letters or "
        "digits. It is your public name (id:name).",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = TextField(
        strip=False,
        help_text="At least 8 characters; not a common password, not only digits.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class SignInForm(forms.Form):
    name = TextField(
        max_length=accounts_api.NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class BlogEditForm(forms.Form):
    title = TextField(max_length=domain.TITLE_MAX_LENGTH)
    description = TextField(
        multiline=True,
        max_length=domain.DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BlogCreateForm(BlogEditForm):
    path = TextField(
        max_length=domain.PATH_MAX_LENGTH,
        help_text=f"{domain.PATH_MIN_LENGTH}-{domain.PATH_MAX_LENGTH} lowercase letters, "
        "digits and hyphens, starting with a letter or digit. It is the blog's address "
        "(/blogs/<path>) and cannot be changed later.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )

    field_order = ("path", "title", "description")


class EntryForm(forms.Form):
    title: forms.CharField = TextField(max_length=domain.ENTRY_TITLE_MAX_LENGTH)
    body = TextField(
        multiline=True,
        # Leading spaces and blank lines are Markdown (code blocks, paragraphs): keep them.
        strip=False,
        max_length=domain.BODY_MAX_LENGTH,
        # The api accepts an empty body; so does the form.
        required=False,
        help_text="Markdown with tables, task lists and footnotes, plus "
        "[https://example.com/:title=a link], [https://example.com/] and id:name.",
        widget=forms.Textarea(attrs={"rows": 18, "data-preview-source": ""}),
    )


class EntryPreviewForm(EntryForm):
    """The editor's form as the no-JavaScript Preview reads it: no title needed yet."""

    title = forms.CharField(max_length=domain.ENTRY_TITLE_MAX_LENGTH, required=False)


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        strip=False,
        help_text="At least 8 characters besides your name; not a common password, not only "
        "digits.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label="New password, again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        new, again = data.get("new_password"), data.get("new_password_again")
        if new is not None and again is not None and new != again:
            self.add_error("new_password_again", "The two new passwords differ.")
        return data


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        strip=False,
        help_text="Your password, to confirm.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
