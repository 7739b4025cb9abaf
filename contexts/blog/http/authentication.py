"""Bearer tokens for the blog endpoints: the accounts token, minus deleted accounts."""

from rest_framework import exceptions

from contexts.accounts import api as accounts_api
from contexts.blog import selectors
from contexts.blog.domain import AccountGone


class BlogTokenAuthentication(accounts_api.TokenAuthentication):
    """Verify the token with the accounts public key, then refuse a deleted account's.

    The blog learns of deletions from the AccountDeleted event and keeps a tombstone,
    so it needs no call to the accounts context per request (ADR 0002).
    """

    def verify(self, token: str) -> accounts_api.Principal:
        principal = super().verify(token)
        if selectors.account_is_deleted(account_id=principal.account_id):
            raise exceptions.AuthenticationFailed(AccountGone.default_detail, code=AccountGone.code)
        return principal
