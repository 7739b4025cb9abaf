"""Operators' view of the search context in Django's admin: the index and its inbox."""

from django.contrib import admin
from django.http import HttpRequest

from contexts.kernel.events.admin import InboxAdmin
from contexts.search.models import Document, InboxRecord


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """The index is the events' to write (or `manage.py search reindex`'s), never by hand."""

    list_display = ("entry_id", "title", "state", "revision", "published_at", "indexed_at")
    list_filter = ("state",)
    search_fields = ("entry_id", "title")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


admin.site.register(InboxRecord, InboxAdmin)
