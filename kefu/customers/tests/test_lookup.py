import pytest

from kefu.customers.selectors import customer_lookup


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "matched_by"),
    [
        ("13812345678", "phone"),
        ("+86 138 1234 5678", "phone"),
        ("013812345678", "phone"),
        ("021-62345678", "phone"),
        ("kh0001", "customer_number"),
        ("898310048160001", "merchant_number"),
        ("张记", "name"),
        ("浦东张记餐饮", "name"),
    ],
)
def test_one_search_box_finds_the_customer(customer, agent, query, matched_by):
    result = customer_lookup(agent, query)
    assert result.matched_by == matched_by
    assert result.customers == [customer]


@pytest.mark.django_db
def test_no_match_and_no_rights(customer, agent, make_user):
    assert customer_lookup(agent, "13900000000").customers == []
    assert customer_lookup(agent, "不存在的名字").matched_by is None
    partner = make_user("third_party_partner")
    assert customer_lookup(partner, "13812345678").customers == []


@pytest.mark.django_db
def test_api_lookup_masks_for_roles_without_pii_view(customer, agent, api_client_for):
    data = api_client_for(agent).get("/api/v1/lookup/", {"q": "13812345678"}).json()
    assert data["matched_by"] == "phone"
    phones = {p["number"] for p in data["results"][0]["phones"]}
    assert phones == {"138****5678", "021****5678"}
    assert "13812345678" not in str(data["results"])


@pytest.mark.django_db
def test_pii_view_permission_shows_unmasked(customer, make_user, api_client_for):
    from kefu.accounts.models import Role

    role = Role.objects.create(code="privacy_officer", name="隐私专员",
                               permissions=["customers.customer:view", "customers.pii:view"])
    user = make_user()
    user.roles.add(role)
    data = api_client_for(user).get(f"/api/v1/customers/{customer.pk}/").json()
    assert {p["number"] for p in data["phones"]} == {"13812345678", "02162345678"}
    assert data["id_number"] == "310115198805061234"
    assert data["addresses"][0]["address"] == "上海市浦东新区张江路88号3楼"


@pytest.mark.django_db
def test_two_character_fragments_find_every_name_holding_the_pair(agent, make_customer):
    """R2.2: 张伟 is a whole name in Chinese; the pair is found wherever it stands (on PostgreSQL through the
    character-pair index), in upper and lower case, and nothing else is."""
    from django.db import connection

    wanted = [make_customer(name=name) for name in ("张伟五金店", "浦东张伟便利", "老张伟")]
    make_customer(name="张三伟业")  # both characters, not as a pair
    make_customer(name="伟张商行")
    latin = make_customer(name="ABC科技")
    assert customer_lookup(agent, "张伟").customers == wanted
    assert customer_lookup(agent, "bc").customers == [latin]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT kefu_bigrams(UPPER('老张伟')), kefu_bigrams('张'), kefu_bigrams('')")
            assert cursor.fetchone() == (["张伟", "老张"], [], [])


@pytest.mark.django_db
def test_a_c_locale_database_is_reported(monkeypatch):
    from django.db import connection

    from kefu.customers.checks import check_chinese_trigrams

    if connection.vendor != "postgresql":
        assert check_chinese_trigrams(databases=["default"]) == []
        return
    assert check_chinese_trigrams(databases=["default"]) == []  # CI's database is C.UTF-8
    real_cursor = connection.cursor

    class CLocale:
        def __init__(self):
            self.cursor = real_cursor()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.cursor.close()

        def execute(self, sql, params=None):
            self.cursor.execute("SELECT 'C'")

        def fetchone(self):
            return self.cursor.fetchone()

    monkeypatch.setattr(connection, "cursor", CLocale)
    [warning] = check_chinese_trigrams(databases=["default"])
    assert warning.id == "kefu.customers.W001" and "LC_CTYPE=C" in warning.msg
