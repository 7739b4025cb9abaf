"""Django admin for operators: browse accounts, and delete one through the service."""

from django.contrib import admin

from contexts.accounts import models, services
from contexts.kernel.events.admin import OutboxAdmin


@admin.register(models.Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "created_at")
    search_fields = ("name", "id")
    ordering = ("-created_at",)
    # The hash stays out of sight; accounts are created by registering, not here.
    fields = ("id", "name", "created_at")
    readonly_fields = ("id", "name", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj: models.Account) -> None:
        services.account_remove(account_id=obj.pk)

    def delete_queryset(self, request, queryset) -> None:
        # One service call per account, so that whatever deleting an account entails
        # (events for the other contexts) happens for each of them.
        for account_id in queryset.values_list("pk", flat=True):
            services.account_remove(account_id=account_id)


admin.site.register(models.OutboxEvent, OutboxAdmin)
