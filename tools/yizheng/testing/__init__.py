"""Test support shared by every test suite in the repo: the pytest plugin `yizheng.testing.fixtures`
(registered by the root conftest.py) and helpers importable from tests."""

from yizheng.testing.wait import wait_until

__all__ = ["wait_until"]
