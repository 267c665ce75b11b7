"""Benchmarks (`yizheng bench ...`): the kernel's durable appends next to pgbench, and the relay next to a raw
aiokafka producer, on the same PostgreSQL and Kafka. Results and how to read them: bench/RESULTS.md."""
