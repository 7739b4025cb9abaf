"""Operators see accounts in Django's admin and can delete one, but never see a hash."""

import pytest

from contexts.accounts import api as accounts_api
from contexts.accounts import models

pytestmark = pytest.mark.django_db(databases="__all__")


def test_the_admin_lists_accounts_without_their_hashes(admin_client, alice):
    listing = admin_client.get("/admin/accounts/account/")
    detail = admin_client.get(f"/admin/accounts/account/{alice.id}/change/")

    assert listing.status_code == 200
    assert "Alice" in listing.content.decode()
    assert detail.status_code == 200
    stored_hash = models.Account.objects.get(pk=alice.id).password_hash
    assert stored_hash not in detail.content.decode()
    assert admin_client.get("/admin/accounts/account/add/").status_code == 403


def test_an_operator_deletes_an_account(admin_client, alice):
    response = admin_client.post(
        f"/admin/accounts/account/{alice.id}/delete/", {"post": "yes"}, follow=True
    )

    assert response.status_code == 200
    with pytest.raises(accounts_api.AccountNotFound):
        accounts_api.account_get(account_id=alice.id)


def test_an_operator_deletes_several_accounts_at_once(admin_client, alice):
    bob = accounts_api.account_register(name="Bob", password="correct-horse-battery")

    response = admin_client.post(
        "/admin/accounts/account/",
        {"action": "delete_selected", "_selected_action": [alice.id, bob.id], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert not models.Account.objects.exists()
