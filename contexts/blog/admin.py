"""Operators' view of the blog context in Django's admin: browse and remove, not author."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from contexts.blog import services
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

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # an author goes with its account (the deletion saga), never alone


# Removals go through the services, which tell the readers' projections (search) too.


@admin.register(Blog)
class BlogAdmin(ReadOnlyAdmin):
    list_display = ("path", "title", "owner", "created_at", "updated_at")
    list_select_related = ("owner",)
    search_fields = ("path", "title", "owner__name")
    date_hierarchy = "created_at"

    def delete_model(self, request: HttpRequest, obj: Blog) -> None:
        services.blog_remove(blog=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Blog]) -> None:
        for blog in queryset:
            services.blog_remove(blog=blog)


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("title", "blog", "status", "published_at", "edited_at", "rendered")
    # An empty published_at is a draft.
    list_filter = ("rendered", ("published_at", admin.EmptyFieldListFilter))
    list_select_related = ("blog",)
    search_fields = ("title", "blog__path")
    date_hierarchy = "published_at"

    def delete_model(self, request: HttpRequest, obj: Entry) -> None:
        services.entry_remove(entry=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Entry]) -> None:
        for entry in queryset.only("id", "blog_id"):
            services.entry_remove(entry=entry)


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
