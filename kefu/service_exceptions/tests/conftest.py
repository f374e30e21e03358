import pytest

from kefu.accounts.models import Team
from kefu.service_exceptions.models import ExceptionCategory, ExceptionLevel


@pytest.fixture
def business_department(db):
    return Team.objects.create(code="biz-settlement", name="清算业务部", kind=Team.Kind.BUSINESS_DEPARTMENT)


@pytest.fixture
def levels(db):
    return {level.number: level for level in ExceptionLevel.objects.all()}


@pytest.fixture
def categories(db):
    return {category.code: category for category in ExceptionCategory.objects.all()}
