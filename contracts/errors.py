"""Errors raised when a stored or received event does not match its contract."""


class ContractError(ValueError):
    """An event cannot be read under any known contract."""


class UnknownEventType(ContractError):
    def __init__(self, event_type: str) -> None:
        super().__init__(f"unknown event type {event_type!r}")
        self.event_type = event_type


class UnknownSchemaVersion(ContractError):
    def __init__(self, event_type: str, version: int, known: list[int]) -> None:
        super().__init__(
            f"event type {event_type!r} has no schema version {version} (known: {', '.join(map(str, known))})"
        )
        self.event_type = event_type
        self.version = version


class InvalidEventPayload(ContractError):
    """The payload does not validate; `fields` names each broken field as a dotted path."""

    def __init__(self, event_type: str, version: int, problems: list[tuple[str, str]]) -> None:
        detail = "; ".join(f"{field}: {message}" for field, message in problems)
        super().__init__(f"invalid {event_type!r} v{version} payload: {detail}")
        self.event_type = event_type
        self.version = version
        self.fields = [field for field, _ in problems]
        self.problems = problems
