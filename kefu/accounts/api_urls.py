from django.urls import path

from . import apis

urlpatterns = [
    path("auth/token/", apis.TokenApi.as_view(), name="auth-token"),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("users/", apis.UserListApi.as_view(), name="user-list"),
    path("teams/", apis.TeamListApi.as_view(), name="team-list"),
    path("branches/", apis.BranchListApi.as_view(), name="branch-list"),
    path("roles/", apis.RoleListApi.as_view(), name="role-list"),
]
