import pytest

from recordkit import record, replace
from recordkit_testing import assert_records_equal


@record
class User:
    name: str
    admin: bool = False


def test_replace():
    assert_records_equal(replace(User(name="a"), admin=True), User(name="a", admin=True))
    with pytest.raises(AssertionError):
        assert_records_equal(User(name="a"), User(name="b"))
