"""REST endpoints of the accounts context: register, sign in, and the signed-in account."""

from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contexts.accounts import api as accounts_api
from contexts.accounts.http.authentication import current_token_principal, request_principal
from contexts.accounts.http.schema import BodyOnDeleteSchema
from contexts.accounts.http.serializers import (
    AccountOutputSerializer,
    DeleteMeInputSerializer,
    RegisterInputSerializer,
    RegisterOutputSerializer,
    SignInInputSerializer,
    TokenOutputSerializer,
    ValidationErrorSerializer,
)
from contexts.kernel.http.authentication import BearerAuthentication
from contexts.kernel.http.client import client_address
from contexts.kernel.http.schema import (
    RETRY_AFTER,
    TOO_LARGE_BODY,
    WWW_AUTHENTICATE,
    error_response,
)

TAGS = ["accounts"]
# Verifiers keep the keys this long; a new kid makes them fetch again sooner.
JWKS_MAX_AGE_SECONDS = 300
INVALID = OpenApiResponse(ValidationErrorSerializer, description="Invalid input, by field.")
NO_STORE = OpenApiParameter(
    "Cache-Control",
    str,
    OpenApiParameter.HEADER,
    response=[201],
    description='"no-store": the answer holds an access token, which no cache may keep.',
)


def _with_token(body: dict) -> Response:
    """Answer 201 with a body that holds an access token, which no cache may keep."""
    response = Response(body, status=status.HTTP_201_CREATED)
    response["Cache-Control"] = "no-store"
    # For HTTP/1.0 caches (RFC 6749, 5.1).
    response["Pragma"] = "no-cache"
    return response


class AccountsView(APIView):
    """Base of the accounts endpoints: anonymous unless a view says otherwise."""

    authentication_classes: list = []
    permission_classes: list = []


class AccountCreateView(AccountsView):
    @extend_schema(
        operation_id="accounts_create",
        summary="Register an account",
        description="Create an account and return it with an access token.",
        tags=TAGS,
        request=RegisterInputSerializer,
        parameters=[NO_STORE],
        responses={
            201: RegisterOutputSerializer,
            400: INVALID,
            409: error_response("The name is taken (`name_taken`)."),
            413: TOO_LARGE_BODY,
        },
    )
    def post(self, request: Request) -> Response:
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = accounts_api.account_register(**data.validated_data)
        issued = accounts_api.token_issue(account_id=account.id)
        body = {
            "account": account,
            "token": issued.token,
            "token_type": issued.token_type,
            "expires_at": issued.expires_at,
        }
        return _with_token(RegisterOutputSerializer(body).data)


class TokenCreateView(AccountsView):
    @extend_schema(
        operation_id="tokens_create",
        summary="Sign in: get an access token",
        description="Failed attempts are throttled per name and per client address.",
        tags=TAGS,
        request=SignInInputSerializer,
        parameters=[NO_STORE, RETRY_AFTER, WWW_AUTHENTICATE],
        responses={
            201: TokenOutputSerializer,
            400: INVALID,
            401: error_response(
                "Wrong name or password (`authentication_failed`), the same answer whether "
                "or not the name exists."
            ),
            413: TOO_LARGE_BODY,
            429: error_response("Too many failures (`throttled`)."),
        },
    )
    def post(self, request: Request) -> Response:
        data = SignInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = accounts_api.account_authenticate(
            **data.validated_data, client_address=client_address(request)
        )
        issued = accounts_api.token_issue(account_id=account.id)
        return _with_token(TokenOutputSerializer(issued).data)


class MeView(AccountsView):
    """The account the access token speaks for."""

    # This context holds the accounts: a token of a deleted account, or one issued
    # before the password changed, is refused here at once.
    authentication_classes = [BearerAuthentication]
    permission_classes = [IsAuthenticated]
    schema = BodyOnDeleteSchema()

    def get_authenticators(self) -> list:
        return [BearerAuthentication(current_token_principal)]

    @extend_schema(
        operation_id="me_retrieve",
        summary="The signed-in account",
        tags=TAGS,
        parameters=[WWW_AUTHENTICATE],
        responses={
            200: AccountOutputSerializer,
            401: error_response(
                "Missing, malformed, expired or forged token, or one issued before the "
                "password changed (`token_revoked`)."
            ),
        },
    )
    def get(self, request: Request) -> Response:
        account = accounts_api.account_get(account_id=request_principal(request).account_id)
        return Response(AccountOutputSerializer(account).data)

    @extend_schema(
        operation_id="me_destroy",
        summary="Delete the signed-in account",
        description="The password confirms the deletion. Wrong passwords count as failed "
        "sign-ins for the account's name.",
        tags=TAGS,
        request=DeleteMeInputSerializer,
        parameters=[RETRY_AFTER, WWW_AUTHENTICATE],
        responses={
            204: OpenApiResponse(description="Deleted."),
            400: INVALID,
            401: error_response(
                "Missing, malformed, expired or forged token, or one issued before the "
                "password changed (`token_revoked`)."
            ),
            403: error_response("Wrong password (`wrong_password`)."),
            413: TOO_LARGE_BODY,
            429: error_response("Too many failures (`throttled`)."),
        },
    )
    def delete(self, request: Request) -> Response:
        data = DeleteMeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        accounts_api.account_delete(
            account_id=request_principal(request).account_id,
            password=data.validated_data["password"],
            client_address=client_address(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, accounts_api.AccountNotFound):
            # The account went away between the token check and the use case: the
            # token no longer speaks for anyone.
            exc = exceptions.AuthenticationFailed(
                "The account of this access token no longer exists.",
                code=accounts_api.InvalidToken.code,
            )
        return super().handle_exception(exc)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The JWKS document of the keys that verify access tokens (/.well-known/jwks.json)."""
    response = JsonResponse(accounts_api.token_keys())
    patch_cache_control(response, public=True, max_age=JWKS_MAX_AGE_SECONDS)
    return response
