from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.response import Response

from vpportal.people import tokens


def _caller_token(request):
    """The token this request was authenticated with; None for a session (page, browsable API)."""
    return request.auth if isinstance(request.auth, AuthToken) else None


class TokenSerializer(serializers.Serializer):
    token_key = serializers.CharField(read_only=True, help_text="The first characters of the token, to tell it apart.")
    created = serializers.DateTimeField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, allow_null=True)
    can_create_tokens = serializers.SerializerMethodField(help_text="Calls with this token may create tokens.")

    def get_can_create_tokens(self, token) -> bool:
        grant = getattr(token, "grant", None)  # none for tokens made before grants existed
        return bool(grant and grant.can_create_tokens)


class TokenCreateSerializer(serializers.Serializer):
    expiry_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=tokens.MAX_EXPIRY_DAYS,
        help_text="Days until the token expires (1-365); the default is API_TOKEN_DEFAULT_DAYS (90).",
    )
    can_create_tokens = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Let calls made with the new token create and revoke tokens (off unless asked for).",
    )


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The full token: shown once, store it now.")


class TokenViewSet(viewsets.ViewSet):
    """Your own API tokens: list, create (the key is shown once), revoke. Every token expires. A call
    authenticated by a token creates or revokes tokens only when that token has `can_create_tokens`
    (403 otherwise); what it creates never outlives it and is revoked with it."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "token_key"
    lookup_value_regex = "[A-Za-z0-9]+"

    @extend_schema(
        responses=TokenSerializer(many=True),
        description="Your own API tokens (never their keys), with their expiry. Every token expires.",
    )
    def list(self, request):
        return Response(TokenSerializer(tokens.tokens_of(request.user), many=True).data)

    @extend_schema(
        request=TokenCreateSerializer,
        responses={201: NewTokenSerializer},
        description="Create a token for yourself: the answer shows its key once, store it then. Send it as "
        "`Authorization: Token <key>`. A call made with a token may create tokens only when that token has "
        "`can_create_tokens` (403 otherwise), and what it creates never outlives it.",
    )
    def create(self, request):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance, key = tokens.token_create(
            user=request.user,
            expiry_days=serializer.validated_data.get("expiry_days"),
            can_create_tokens=serializer.validated_data["can_create_tokens"],
            caller_token=_caller_token(request),
        )
        data = TokenSerializer(instance).data | {"token": key}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={204: None, 404: None},
        description="Revoke one of your tokens (by its `token_key`, the first characters of the key): it stops "
        "working at once.",
    )
    def destroy(self, request, token_key=None):
        if tokens.token_revoke(user=request.user, token_key=token_key, caller_token=_caller_token(request)):
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response({"detail": "No such token."}, status=status.HTTP_404_NOT_FOUND)
