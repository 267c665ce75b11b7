"""A service in `contracts.platform.SERVICES` has everything docs/adding-a-service.md asks of it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from contracts import platform
from contracts.service import ServiceContract
from eventstore.service import ServiceDefinition
from yizheng.serve import definition

ROOT = Path(__file__).resolve().parents[2]


def subclasses_the_contract_test(tests: Path) -> bool:
    for path in tests.rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                    (isinstance(b, ast.Name) and b.id == "ServiceContractTests")
                    or (isinstance(b, ast.Attribute) and b.attr == "ServiceContractTests") for b in node.bases):
                return True
    return False


def missing(name: str) -> list[str]:
    lacks = []
    if not (ROOT / "contracts" / name / "commands.py").is_file():
        lacks.append(f"contracts/{name}/commands.py")
    try:
        contract = platform.contract(name)
        assert isinstance(contract, ServiceContract) and contract.name == name
    except (ImportError, LookupError, AssertionError):
        lacks.append(f"contracts/{name}/service.py declaring SERVICE")
    try:
        declared = definition(name)
        assert isinstance(declared, ServiceDefinition) and declared.name == name
    except (ImportError, LookupError, AssertionError):
        lacks.append(f"services/{name}/service.py declaring DEFINITION")
    if not (ROOT / "deploy" / "k8s" / "base" / name / "kustomization.yaml").is_file():
        lacks.append(f"deploy/k8s/base/{name}/")
    if not subclasses_the_contract_test(ROOT / "services" / name / "tests"):
        lacks.append(f"services/{name}/tests: a subclass of ServiceContractTests")
    return lacks


@pytest.mark.parametrize("name", platform.SERVICES)
def test_a_listed_service_has_its_contracts_declaration_manifests_and_contract_test(name: str) -> None:
    assert missing(name) == []


def test_a_service_without_its_pieces_is_reported() -> None:
    assert "services/nosuch/service.py declaring DEFINITION" in missing("nosuch")
    assert "deploy/k8s/base/nosuch/" in missing("nosuch")


def test_the_ports_and_topics_of_listed_services_are_distinct() -> None:
    contracts = platform.contracts()
    ports = [c.port for c in contracts] + [8000]  # the gateway's
    assert len(set(ports)) == len(ports)
    assert len({c.topic for c in contracts}) == len(contracts)
