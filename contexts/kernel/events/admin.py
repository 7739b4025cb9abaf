"""The outbox and inbox registries in Django's admin: see what failed and why, resubmit it."""

from typing import Any, ClassVar

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from contexts.kernel.events import operations


def _last_line(text: str) -> str:
    lines = text.strip().splitlines() if text else []
    return lines[0][:120] if lines else ""


class _RegistryAdmin(admin.ModelAdmin[Any]):
    """Read-only rows with a resubmit action; `side` says which registry."""

    side = ""
    search_fields: ClassVar[tuple[str, ...]] = ("event_id", "type_name", "last_error")
    actions = ("resubmit",)

    @admin.display(description="last error")
    def short_error(self, obj: Any) -> str:
        return _last_line(obj.last_error)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Done rows are purged by the retention task; others must not vanish.
        return False

    @admin.action(description="Resubmit: a fresh round of attempts, started now")
    def resubmit(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        context = self.model._meta.app_label
        refs = [f"{self.side}:{context}:{pk}" for pk in queryset.values_list("pk", flat=True)]
        done = operations.resubmit(refs=refs)[self.side]
        self.message_user(request, f"{len(done)} row(s) resubmitted.", messages.SUCCESS)
        if skipped := len(refs) - len(done):
            self.message_user(
                request,
                f"{skipped} left alone: already done, or held by a live worker.",
                messages.WARNING,
            )


class OutboxAdmin(_RegistryAdmin):
    """A producer's events and how relaying each one went.

    Register it in the producing context's admin.py: `admin.site.register(OutboxEvent,
    OutboxAdmin)`.
    """

    side = operations.OUTBOX
    list_display = ("id", "type_name", "state", "attempts", "recorded_at", "sent_at", "short_error")
    list_filter = ("state", "type_name")
    ordering = ("-recorded_at",)


class InboxAdmin(_RegistryAdmin):
    """A consumer's received events and how applying each one went.

    Register it in the consuming context's admin.py: `admin.site.register(InboxRecord,
    InboxAdmin)`.
    """

    side = operations.INBOX
    list_display = (
        "id",
        "type_name",
        "subscriber",
        "state",
        "attempts",
        "next_attempt_at",
        "completed_at",
        "short_error",
    )
    list_filter = ("state", "type_name", "subscriber")
    search_fields = ("event_id", "type_name", "subscriber", "last_error")
    ordering = ("-received_at",)
