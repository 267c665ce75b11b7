"""Test suites the kernel gives every service (`service_contract`)."""
