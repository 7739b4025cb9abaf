from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "contexts.accounts"
    label = "accounts"
    verbose_name = "Accounts"
