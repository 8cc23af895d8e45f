from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.response import Response

from vpportal.people import tokens


class TokenSerializer(serializers.Serializer):
    token_key = serializers.CharField(read_only=True, help_text="The first characters of the token, to tell it apart.")
    created = serializers.DateTimeField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, allow_null=True)


class TokenCreateSerializer(serializers.Serializer):
    expiry_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=tokens.MAX_EXPIRY_DAYS
    )


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The full token: shown once, store it now.")


class TokenViewSet(viewsets.ViewSet):
    """Your own API tokens: list, create (the key is shown once), revoke."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "token_key"
    lookup_value_regex = "[A-Za-z0-9]+"

    @extend_schema(responses=TokenSerializer(many=True))
    def list(self, request):
        return Response(TokenSerializer(tokens.tokens_of(request.user), many=True).data)

    @extend_schema(request=TokenCreateSerializer, responses={201: NewTokenSerializer})
    def create(self, request):
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance, key = tokens.token_create(user=request.user, expiry_days=serializer.validated_data.get("expiry_days"))
        data = TokenSerializer(instance).data | {"token": key}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, 404: None})
    def destroy(self, request, token_key=None):
        if tokens.token_revoke(user=request.user, token_key=token_key):
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response({"detail": "No such token."}, status=status.HTTP_404_NOT_FOUND)
