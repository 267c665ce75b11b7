"""`yizheng soak`: a chaos soak. Demo counties' commands from many concurrent clients against the whole platform
(every service and the gateway as separate processes under the supervisor, restarted when they die), while a
chaos loop SIGKILLs each kind of process in turn and restarts PostgreSQL and Kafka once each; then the checks
(`checks`): every accepted command's events in its store exactly once and in every view exactly once, every view
equal to a fresh rebuild, the hash chains intact, no 500. The platform runs on infrastructure of its own
(`infra`), so restarting PostgreSQL and Kafka disturbs no one else's tests."""
