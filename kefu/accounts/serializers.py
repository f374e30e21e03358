from rest_framework import serializers

from .models import Branch, Role, Team, User


class BranchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Branch
        fields = ["id", "code", "name", "city", "phone", "is_active"]


class TeamSerializer(serializers.ModelSerializer):
    branch = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Team
        fields = ["id", "code", "name", "kind", "branch", "service_category", "is_active"]


class RoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "code", "name", "description", "permissions", "read_only"]


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    teams = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    branch = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "work_number", "extension", "roles", "teams", "branch", "is_active"]


class MeSerializer(UserSerializer):
    permissions = serializers.SerializerMethodField()
    read_only = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = UserSerializer.Meta.fields + ["permissions", "read_only"]

    def get_permissions(self, obj) -> list[str]:
        from kefu.core.permissions import user_permissions

        return sorted(user_permissions(obj))

    def get_read_only(self, obj) -> bool:
        from kefu.core.permissions import user_is_read_only

        return user_is_read_only(obj)


class TokenInput(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
