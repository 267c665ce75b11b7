"""Fixtures for the cross-cutting tests in tests/. The shared ones (infra, pg_pool, fresh_schema,
topic_prefix, kafka_bootstrap, wait_until, smtp_server) come from the `yizheng.testing.fixtures` plugin
registered in the root conftest.py; add only fixtures here that nothing outside tests/ needs."""
