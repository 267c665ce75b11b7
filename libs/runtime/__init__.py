"""The runtime every service process stands on: bearer tokens (`auth`), settings from the environment
(`settings`), the event loop (`event_loop`) and the host that runs a declared service (`service_host`).

Below it: the kernel (`eventstore`) and `contracts`. Above it: the services, then the gateway and the
tooling (`tools/yizheng`: cli, demo, bench, testing, infra)."""
