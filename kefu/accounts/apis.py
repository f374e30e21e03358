"""/api/v1/ organisation: who am I, tokens, directory of users, teams, branches and roles (SPEC §1)."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from kefu.core.errors import KefuError

from .models import Branch, Role, Team, User
from .serializers import (
    BranchSerializer,
    MeSerializer,
    RoleSerializer,
    TeamSerializer,
    TokenInput,
    TokenOutput,
    UserSerializer,
)


class TokenApi(APIView):
    """Exchange username and password for an API token (login throttling applies, as on the login page)."""

    public = True
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=TokenInput, responses=TokenOutput)
    def post(self, request):
        serializer = TokenInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request=request._request, username=serializer.validated_data["username"],
                            password=serializer.validated_data["password"])
        if user is None or not user.is_active:
            raise KefuError(_("Wrong username or password, or the account is locked for a while."),
                            code="authentication_failed", status=401)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeApi(APIView):
    permission = "core.home:view"

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class UserListApi(ListAPIView):
    permission = "accounts.directory:view"
    serializer_class = UserSerializer
    queryset = User.objects.filter(is_active=True).prefetch_related("roles", "teams").select_related("branch")


class TeamListApi(ListAPIView):
    permission = "accounts.directory:view"
    serializer_class = TeamSerializer
    queryset = Team.objects.select_related("branch")


class BranchListApi(ListAPIView):
    permission = "accounts.directory:view"
    serializer_class = BranchSerializer
    queryset = Branch.objects.all()


class RoleListApi(ListAPIView):
    permission = "accounts.directory:view"
    serializer_class = RoleSerializer
    queryset = Role.objects.all()
