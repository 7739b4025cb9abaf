"""Operators' view of the fetcher in Django's admin: what each linked page said, and errors."""

from django.contrib import admin
from django.http import HttpRequest

from contexts.fetcher.models import Link, OutboxEvent
from contexts.kernel.events.admin import OutboxAdmin


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    """Read-only: links are recorded and fetched by the service, never typed in."""

    list_display = ("url", "status", "title", "error", "fetched_at", "next_fetch_at")
    list_filter = ("status", "error")
    search_fields = ("url", "title", "final_url")
    ordering = ("-created_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [field.name for field in self.model._meta.fields]


admin.site.register(OutboxEvent, OutboxAdmin)
