"""Operators' view of the blog context in Django's admin: browse and remove, not author."""

from django.contrib import admin
from django.http import HttpRequest

from contexts.blog.models import (
    AccountTombstone,
    Author,
    Blog,
    Entry,
    IdempotencyRecord,
    InboxRecord,
    OutboxEvent,
)
from contexts.kernel.events.admin import InboxAdmin, OutboxAdmin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Content is written through the services (rendering, ownership), never here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [field.name for field in self.model._meta.fields]


@admin.register(Author)
class AuthorAdmin(ReadOnlyAdmin):
    list_display = ("name", "account_id", "created_at")
    search_fields = ("name", "account_id")
    ordering = ("-created_at",)


@admin.register(Blog)
class BlogAdmin(ReadOnlyAdmin):
    list_display = ("path", "title", "owner", "created_at", "updated_at")
    list_select_related = ("owner",)
    search_fields = ("path", "title", "owner__name")
    date_hierarchy = "created_at"


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("title", "blog", "status", "published_at", "edited_at", "rendered")
    # An empty published_at is a draft.
    list_filter = ("rendered", ("published_at", admin.EmptyFieldListFilter))
    list_select_related = ("blog",)
    search_fields = ("title", "blog__path")
    date_hierarchy = "published_at"


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ("account_id", "key", "response_status", "created_at")
    search_fields = ("account_id", "key")


@admin.register(AccountTombstone)
class AccountTombstoneAdmin(ReadOnlyAdmin):
    list_display = ("account_id", "deleted_at")
    search_fields = ("account_id",)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # removing one would let a deleted account's tokens back in


admin.site.register(OutboxEvent, OutboxAdmin)
admin.site.register(InboxRecord, InboxAdmin)
