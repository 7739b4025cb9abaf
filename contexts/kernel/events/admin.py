"""The publication registry in Django's admin: see what failed and why, and resubmit it."""

from django.contrib import admin, messages
from django.db import router
from django.http import HttpRequest

from contexts.kernel.events import operations


class PublicationAdmin(admin.ModelAdmin):
    """Read-only view of one producer's publications, with a resubmit action.

    Register it in the producing context's admin.py:
    `admin.site.register(EventPublication, PublicationAdmin)`.
    """

    list_display = (
        "id",
        "event_type",
        "subscriber",
        "state",
        "attempts",
        "next_attempt_at",
        "completed_at",
        "short_error",
    )
    list_filter = ("state", "event_type", "subscriber")
    search_fields = ("event_id", "last_error")
    ordering = ("-created_at",)
    actions = ("resubmit",)

    @admin.display(description="last error")
    def short_error(self, obj) -> str:
        first_line = obj.last_error.strip().splitlines()[-1:] if obj.last_error else []
        return first_line[0][:120] if first_line else ""

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Completed ones are purged by the retention task; others must not vanish.
        return False

    @admin.action(description="Resubmit: a fresh round of attempts, sent now")
    def resubmit(self, request: HttpRequest, queryset) -> None:
        alias = router.db_for_write(self.model)
        refs = [f"{alias}:{pk}" for pk in queryset.values_list("pk", flat=True)]
        done = operations.resubmit(refs=refs).get(alias, [])
        skipped = len(refs) - len(done)
        self.message_user(request, f"{len(done)} publication(s) resubmitted.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} left alone: completed, or held by a live worker.",
                messages.WARNING,
            )
