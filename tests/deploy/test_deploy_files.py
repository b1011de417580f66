"""The distributed-mode deployment files, checked by parsing (no Docker engine on these machines).

docker-compose.yml and deploy/k8s/*.yaml must start the five apps the way the code expects: every
environment variable is one the code reads (a Settings field, or MIGRATE_ON_START), each data
service points at its own database and at Kafka, the gateway's upstream URLs match the services'
names and ports, and the Settings each container would build actually validate.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from shared.settings import DEFAULT_JWT_SECRET, SERVICES, Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
DOCKERFILE = DEPLOY / "Dockerfile"

APPS: tuple[str, ...] = (*SERVICES, "gateway")
DATA_SERVICES: tuple[str, ...] = SERVICES
# Containers that are not Linli and read their own variables.
INFRA_SERVICES = {"postgres", "kafka", "prometheus"}
SETTINGS_VARS = {name.upper() for name in Settings.model_fields}
# Read outside Settings: shared/runner.py. LINLI_FAILPOINTS is a Settings field but for tests only.
EXTRA_VARS = {"MIGRATE_ON_START"}
ALLOWED_VARS = SETTINGS_VARS | EXTRA_VARS
FORBIDDEN_VARS = {"LINLI_FAILPOINTS"}
DUMMY_SECRET = "deploy-test-secret-3f9c2a7e5b1d4c68"


# ---------------------------------------------------------------------------------------------------
# helpers


def _load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _interpolate(value: Any) -> str:
    """Compose-style ${VAR}, ${VAR:-default}, ${VAR:?message}: defaults are taken, required
    variables get a dummy non-default secret, $$ is a literal dollar."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    pattern = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")

    def replace(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        op, arg = m.group(2), m.group(3)
        if op in (":-", "-"):
            return arg
        return DUMMY_SECRET

    return pattern.sub(replace, text)


def _compose_env(service: Mapping[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in env)
        return {k: _interpolate(v) for k, v in pairs}
    return {str(k): _interpolate(v) for k, v in env.items()}


@pytest.fixture(autouse=True)
def _no_settings_from_the_test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings also read os.environ: only the deploy files may decide what a container gets."""
    for var in list(os.environ):
        if var.upper() in SETTINGS_VARS:
            monkeypatch.delenv(var)


def _settings_from(env: Mapping[str, str]) -> Settings:
    values: dict[str, Any] = {k.lower(): v for k, v in env.items() if k in SETTINGS_VARS}
    return Settings(**values)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    assert COMPOSE_FILE.is_file(), f"{COMPOSE_FILE} is missing"
    data = _load_yaml(COMPOSE_FILE)
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    assert isinstance(data.get("services"), dict), "docker-compose.yml has no services mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


@pytest.fixture(scope="module")
def compose_env(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {name: _compose_env(services[name]) for name in APPS if name in services}


class K8s:
    """Every document under deploy/k8s, indexed by (kind, name)."""

    def __init__(self) -> None:
        self.docs: list[tuple[str, dict[str, Any]]] = []
        for path in sorted(K8S.glob("*.yaml")):
            with path.open(encoding="utf-8") as f:
                for doc in yaml.safe_load_all(f):
                    if doc:
                        self.docs.append((path.name, doc))

    def objects(self, kind: str) -> dict[str, dict[str, Any]]:
        return {d["metadata"]["name"]: d for _, d in self.docs if d.get("kind") == kind}

    def get(self, kind: str, name: str) -> dict[str, Any]:
        found = self.objects(kind)
        assert name in found, f"deploy/k8s has no {kind} named {name!r} (has: {sorted(found)})"
        return found[name]

    def configmap_data(self, name: str) -> dict[str, str]:
        return {k: str(v) for k, v in (self.get("ConfigMap", name).get("data") or {}).items()}

    def secret_data(self, name: str) -> dict[str, str]:
        return {k: str(v) for k, v in (self.get("Secret", name).get("stringData") or {}).items()}

    def env_names(self, container: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        """(variable name, where it comes from) for every variable a container receives."""
        for source in container.get("envFrom") or []:
            if "configMapRef" in source:
                cm = source["configMapRef"]["name"]
                for key in self.configmap_data(cm):
                    yield source.get("prefix", "") + key, f"ConfigMap {cm}"
            if "secretRef" in source:
                secret = source["secretRef"]["name"]
                for key in self.secret_data(secret):
                    yield source.get("prefix", "") + key, f"Secret {secret}"
        for item in container.get("env") or []:
            yield item["name"], "env"

    def env(self, container: Mapping[str, Any], secret_override: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment a container would see (env wins over envFrom, as in Kubernetes)."""
        result: dict[str, str] = {}
        for source in container.get("envFrom") or []:
            prefix = source.get("prefix", "")
            if "configMapRef" in source:
                data = self.configmap_data(source["configMapRef"]["name"])
            elif "secretRef" in source:
                data = self.secret_data(source["secretRef"]["name"])
            else:
                continue
            result.update({prefix + k: v for k, v in data.items()})
        for item in container.get("env") or []:
            if "value" in item:
                result[item["name"]] = str(item["value"])
                continue
            ref = (item.get("valueFrom") or {}).get("secretKeyRef") or (item.get("valueFrom") or {}).get(
                "configMapKeyRef"
            )
            assert ref is not None, f"env {item['name']} has neither value nor a secret/configmap reference"
            is_secret = "secretKeyRef" in item["valueFrom"]
            data = self.secret_data(ref["name"]) if is_secret else self.configmap_data(ref["name"])
            assert ref["key"] in data, (
                f"env {item['name']} refers to key {ref['key']!r} missing from "
                f"{'Secret' if is_secret else 'ConfigMap'} {ref['name']}"
            )
            value = data[ref["key"]]
            if secret_override and is_secret and ref["key"] in secret_override:
                value = secret_override[ref["key"]]
            result[item["name"]] = value
        return result

    def pod_spec(self, name: str) -> dict[str, Any]:
        spec: dict[str, Any] = self.get("Deployment", name)["spec"]["template"]["spec"]
        return spec

    def app_container(self, name: str) -> dict[str, Any]:
        containers = self.pod_spec(name)["containers"]
        serving = [c for c in containers if c.get("args") == ["serve", name]]
        assert len(serving) == 1, f"Deployment {name}: expected one container with args ['serve', {name!r}]"
        container: dict[str, Any] = serving[0]
        return container


@pytest.fixture(scope="module")
def k8s() -> K8s:
    assert K8S.is_dir(), f"{K8S} is missing"
    return K8s()


def _all_k8s_containers(k8s: K8s) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, deployment in k8s.objects("Deployment").items():
        spec = deployment["spec"]["template"]["spec"]
        for c in [*(spec.get("initContainers") or []), *spec["containers"]]:
            yield f"Deployment {name} container {c['name']}", c


def _named_port(container: Mapping[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    by_name = {p["name"]: p["containerPort"] for p in container.get("ports") or [] if "name" in p}
    assert port in by_name, f"container {container['name']} has no port named {port!r}"
    return int(by_name[port])


# ---------------------------------------------------------------------------------------------------
# docker-compose.yml


def test_compose_has_infrastructure_and_exactly_the_five_apps(services: dict[str, dict[str, Any]]) -> None:
    assert "postgres" in services, "docker-compose.yml needs a postgres service"
    assert "kafka" in services, "docker-compose.yml needs a kafka service"
    built = {name for name, svc in services.items() if "build" in svc}
    assert built == set(APPS), f"services built from the Linli image: {sorted(built)}, expected {sorted(APPS)}"


@pytest.mark.parametrize("name", APPS)
def test_compose_app_is_built_from_the_dockerfile_and_serves_its_name(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    svc = services[name]
    build = svc["build"]
    assert isinstance(build, dict), f"{name}: build should be a mapping with context and dockerfile"
    assert build.get("context") == ".", f"{name}: build context should be the repository root"
    assert build.get("dockerfile") == "deploy/Dockerfile", f"{name}: built from {build.get('dockerfile')!r}"
    assert svc.get("command") == ["serve", name], f"{name}: command is {svc.get('command')!r}"


def test_kafka_runs_in_kraft_mode_without_zookeeper(services: dict[str, dict[str, Any]]) -> None:
    env = _compose_env(services["kafka"])
    assert "KAFKA_PROCESS_ROLES" in env, "kafka: KAFKA_PROCESS_ROLES missing (KRaft)"
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert "KAFKA_CONTROLLER_QUORUM_VOTERS" in env, "kafka: KAFKA_CONTROLLER_QUORUM_VOTERS missing"
    assert "PLAINTEXT://kafka:9092" in env.get("KAFKA_ADVERTISED_LISTENERS", ""), "kafka must advertise kafka:9092"
    assert not any("zookeeper" in name.lower() for name in services), "KRaft needs no zookeeper service"
    assert not any("ZOOKEEPER" in k for k in env), "kafka: a ZOOKEEPER variable in KRaft mode"


def test_compose_environment_names_are_settings_the_code_reads(services: dict[str, dict[str, Any]]) -> None:
    unknown = {
        f"{name}: {var}"
        for name, svc in services.items()
        if name not in INFRA_SERVICES
        for var in _compose_env(svc)
        if var not in ALLOWED_VARS
    }
    assert not unknown, f"variables no code reads (typo?): {sorted(unknown)}"
    test_only = {
        f"{name}: {var}" for name, svc in services.items() for var in _compose_env(svc) if var in FORBIDDEN_VARS
    }
    assert not test_only, f"test-only variables in docker-compose.yml: {sorted(test_only)}"


@pytest.mark.parametrize("name", DATA_SERVICES)
def test_compose_data_service_environment(compose_env: dict[str, dict[str, str]], name: str) -> None:
    env = compose_env[name]
    missing = {"DATABASE_URL", "EVENT_BUS", "KAFKA_BOOTSTRAP", "JWT_SECRET", "HOST", "PORT"} - env.keys()
    assert not missing, f"{name}: missing {sorted(missing)}"
    assert env["EVENT_BUS"] == "kafka", f"{name}: EVENT_BUS={env['EVENT_BUS']!r}"
    assert env["KAFKA_BOOTSTRAP"] == "kafka:9092", f"{name}: KAFKA_BOOTSTRAP={env['KAFKA_BOOTSTRAP']!r}"
    assert env["HOST"] == "0.0.0.0", f"{name}: HOST={env['HOST']!r} (other containers could not reach it)"
    assert env.get("ENVIRONMENT") == "production", f"{name}: ENVIRONMENT={env.get('ENVIRONMENT')!r}"
    assert env.get("MIGRATE_ON_START", "true") != "false", f"{name}: nothing else migrates in compose"


def test_compose_ports_are_distinct_and_only_the_gateway_is_published(
    services: dict[str, dict[str, Any]], compose_env: dict[str, dict[str, str]]
) -> None:
    ports = {name: int(compose_env[name]["PORT"]) for name in APPS}
    assert len(set(ports.values())) == len(ports), f"PORTs collide: {ports}"
    published = {name for name, svc in services.items() if svc.get("ports") and not svc.get("profiles")}
    assert published == {"gateway"}, f"services publishing ports by default: {sorted(published)}"
    gateway_ports = [str(p) for p in services["gateway"]["ports"]]
    assert any(p.endswith(f":{ports['gateway']}") for p in gateway_ports), (
        f"gateway publishes {gateway_ports}, not its PORT {ports['gateway']}"
    )


def test_compose_gateway_upstreams_match_service_names_and_ports(compose_env: dict[str, dict[str, str]]) -> None:
    gateway = compose_env["gateway"]
    assert gateway.get("HOST") == "0.0.0.0", "gateway: HOST must be 0.0.0.0 to be published"
    assert "JWT_SECRET" in gateway, "gateway: JWT_SECRET missing (it verifies tokens)"
    for service in DATA_SERVICES:
        var = f"{service.upper()}_URL"
        assert var in gateway, f"gateway: {var} missing"
        url = urlsplit(gateway[var])
        assert url.scheme == "http", f"gateway: {var}={gateway[var]!r}"
        assert url.hostname == service, f"gateway: {var} points at host {url.hostname!r}, the service is {service!r}"
        port = int(compose_env[service]["PORT"])
        assert url.port == port, f"gateway: {var} uses port {url.port}, {service} listens on PORT={port}"


@pytest.mark.parametrize("name", APPS)
def test_compose_settings_validate(compose_env: dict[str, dict[str, str]], name: str) -> None:
    try:
        settings = _settings_from(compose_env[name])
    except ValidationError as exc:
        pytest.fail(f"{name}: Settings refuse the compose environment:\n{exc}")
    assert settings.environment == "production"
    assert settings.host == "0.0.0.0"
    if name in DATA_SERVICES:
        assert settings.event_bus == "kafka"
        url = make_url(settings.database_url_for(name))
        assert url.drivername == "postgresql+asyncpg", f"{name}: driver {url.drivername!r}"
        assert url.database == f"linli_{name}", f"{name}: database {url.database!r}, expected linli_{name}"
        assert url.host == "postgres", f"{name}: database host {url.host!r}"


def test_compose_refuses_to_start_without_a_jwt_secret(services: dict[str, dict[str, Any]]) -> None:
    for name in APPS:
        raw = str(services[name]["environment"]["JWT_SECRET"])
        assert re.fullmatch(r"\$\{JWT_SECRET:\?[^}]*\}", raw), (
            f"{name}: JWT_SECRET={raw!r}; use ${{JWT_SECRET:?...}} so compose stops when it is unset"
        )


def test_compose_postgres_creates_the_four_databases(services: dict[str, dict[str, Any]]) -> None:
    volumes = [str(v) for v in services["postgres"].get("volumes") or []]
    assert any(v.startswith("./deploy/postgres/init.sql:/docker-entrypoint-initdb.d/") for v in volumes), (
        f"postgres does not mount deploy/postgres/init.sql into /docker-entrypoint-initdb.d: {volumes}"
    )
    env = _compose_env(services["postgres"])
    for name in DATA_SERVICES:
        url = make_url(_compose_env(services[name])["DATABASE_URL"])
        assert url.username == env["POSTGRES_USER"], f"{name}: user {url.username!r} is not POSTGRES_USER"
        assert url.password == env["POSTGRES_PASSWORD"], f"{name}: password differs from POSTGRES_PASSWORD"


def test_compose_health_and_startup_order(services: dict[str, dict[str, Any]]) -> None:
    for name in APPS:
        svc = services[name]
        test = svc.get("healthcheck", {}).get("test")
        assert test, f"{name}: no healthcheck"
        assert "/readyz" in " ".join(test), f"{name}: healthcheck should hit /readyz, is {test!r}"
        assert "curl" not in " ".join(test), f"{name}: the slim image has no curl"
        grace = str(svc.get("stop_grace_period", ""))
        assert re.fullmatch(r"\d+s", grace), f"{name}: stop_grace_period={grace!r}, expected seconds like 35s"
        assert int(grace[:-1]) >= 30, f"{name}: stop_grace_period={grace!r} < 30s (services drain for 30 s)"
        depends = svc.get("depends_on") or {}
        wanted = {"postgres", "kafka"} if name in DATA_SERVICES else set(DATA_SERVICES)
        assert set(depends) >= wanted, f"{name}: depends_on {sorted(depends)}, needs {sorted(wanted)}"
        for dep in wanted:
            assert depends[dep].get("condition") == "service_healthy", f"{name}: {dep} should be service_healthy"
    for infra in ("postgres", "kafka"):
        assert services[infra].get("healthcheck", {}).get("test"), f"{infra} needs a healthcheck for depends_on"


# ---------------------------------------------------------------------------------------------------
# deploy/k8s


def test_kustomization_lists_every_manifest() -> None:
    kustomization = _load_yaml(K8S / "kustomization.yaml")
    listed = set(kustomization["resources"])
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present, f"kustomization resources {sorted(listed)} != files {sorted(present)}"
    expected = {"namespace.yaml", "configmap.yaml", "secret.yaml", *(f"{n}.yaml" for n in APPS)}
    assert expected <= present, f"missing manifests: {sorted(expected - present)}"


def test_k8s_every_document_has_kind_and_name(k8s: K8s) -> None:
    for filename, doc in k8s.docs:
        if filename == "kustomization.yaml":
            continue
        assert doc.get("apiVersion"), f"{filename}: a document without apiVersion"
        assert doc.get("kind"), f"{filename}: a document without kind"
        assert doc.get("metadata", {}).get("name"), f"{filename}: a {doc['kind']} without a name"


@pytest.mark.parametrize("name", APPS)
def test_k8s_deployment_and_service_agree_on_the_port(k8s: K8s, name: str) -> None:
    deployment = k8s.get("Deployment", name)
    service = k8s.get("Service", name)
    container = k8s.app_container(name)
    assert container["image"].split(":")[0].endswith("linli"), f"{name}: image {container['image']!r}"
    env = k8s.env(container)
    assert env.get("HOST") == "0.0.0.0", f"{name}: HOST={env.get('HOST')!r}"
    assert "PORT" in env, f"{name}: PORT not set"
    port = int(env["PORT"])
    container_ports = [p["containerPort"] for p in container.get("ports") or []]
    assert port in container_ports, f"{name}: PORT={port} but containerPorts {container_ports}"
    selector = service["spec"]["selector"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= labels.items(), f"{name}: Service selector {selector} does not match pod {labels}"
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    targets = [_named_port(container, p.get("targetPort", p["port"])) for p in service["spec"]["ports"]]
    assert targets == [port], f"{name}: Service targetPort(s) {targets} != PORT {port}"


@pytest.mark.parametrize("name", APPS)
def test_k8s_probes_grace_and_scrape(k8s: K8s, name: str) -> None:
    container = k8s.app_container(name)
    port = int(k8s.env(container)["PORT"])
    for probe_name, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        probe = container.get(probe_name)
        assert probe, f"{name}: {probe_name} missing"
        assert "httpGet" in probe, f"{name}: {probe_name} is not an httpGet probe"
        assert probe["httpGet"]["path"] == path, f"{name}: {probe_name} path {probe['httpGet']['path']!r}"
        assert _named_port(container, probe["httpGet"]["port"]) == port, f"{name}: {probe_name} on another port"
    pod = k8s.pod_spec(name)
    grace = pod.get("terminationGracePeriodSeconds", 30)
    assert grace >= 30, f"{name}: terminationGracePeriodSeconds={grace}"
    assert container.get("resources", {}).get("requests"), f"{name}: resource requests missing"
    assert container.get("resources", {}).get("limits"), f"{name}: resource limits missing"
    annotations = k8s.get("Deployment", name)["spec"]["template"]["metadata"].get("annotations") or {}
    assert annotations.get("prometheus.io/scrape") == "true", f"{name}: no prometheus.io/scrape annotation"
    assert annotations.get("prometheus.io/port") == str(port), f"{name}: prometheus.io/port != {port}"
    assert annotations.get("prometheus.io/path", "/metrics") == "/metrics"


@pytest.mark.parametrize("name", DATA_SERVICES)
def test_k8s_data_service_migrates_in_an_init_container(k8s: K8s, name: str) -> None:
    pod = k8s.pod_spec(name)
    inits = [c for c in pod.get("initContainers") or [] if c.get("args") == ["migrate", name]]
    assert inits, f"{name}: no initContainer with args ['migrate', {name!r}]"
    main_env = k8s.env(k8s.app_container(name))
    init_env = k8s.env(inits[0])
    assert main_env.get("MIGRATE_ON_START") == "false", f"{name}: the init container migrated; set MIGRATE_ON_START"
    assert init_env.get("DATABASE_URL") == main_env.get("DATABASE_URL"), f"{name}: migrates another database"


@pytest.mark.parametrize("name", DATA_SERVICES)
def test_k8s_data_service_environment(k8s: K8s, name: str) -> None:
    env = k8s.env(k8s.app_container(name))
    missing = {"DATABASE_URL", "EVENT_BUS", "KAFKA_BOOTSTRAP", "JWT_SECRET", "HOST", "PORT"} - env.keys()
    assert not missing, f"{name}: missing {sorted(missing)}"
    assert env["EVENT_BUS"] == "kafka", f"{name}: EVENT_BUS={env['EVENT_BUS']!r}"
    assert env.get("ENVIRONMENT") == "production"
    url = make_url(env["DATABASE_URL"])
    assert url.drivername == "postgresql+asyncpg", f"{name}: driver {url.drivername!r}"
    assert url.database == f"linli_{name}", f"{name}: database {url.database!r}, expected linli_{name}"
    names = dict(k8s.env_names(k8s.app_container(name)))
    assert names.get("JWT_SECRET") == "env", f"{name}: JWT_SECRET should be set per container (secretKeyRef)"
    assert names.get("DATABASE_URL") == "env", f"{name}: DATABASE_URL should be set per container (secretKeyRef)"
    for item in k8s.app_container(name)["env"]:
        if item["name"] in ("JWT_SECRET", "DATABASE_URL"):
            assert "secretKeyRef" in item.get("valueFrom", {}), f"{name}: {item['name']} should come from a Secret"


def test_k8s_gateway_upstreams_match_services(k8s: K8s) -> None:
    env = k8s.env(k8s.app_container("gateway"))
    for service in DATA_SERVICES:
        var = f"{service.upper()}_URL"
        assert var in env, f"gateway: {var} missing"
        url = urlsplit(env[var])
        svc = k8s.get("Service", url.hostname or "")
        assert url.hostname == service, f"gateway: {var} points at {url.hostname!r}"
        ports = [p["port"] for p in svc["spec"]["ports"]]
        assert url.port in ports, f"gateway: {var} uses port {url.port}, Service {service} has {ports}"
        container_port = int(k8s.env(k8s.app_container(service))["PORT"])
        assert url.port == container_port, f"gateway: {var} port {url.port} != {service} PORT {container_port}"


def test_k8s_environment_names_are_settings_the_code_reads(k8s: K8s) -> None:
    unknown = {
        f"{where} ({source}): {var}"
        for where, container in _all_k8s_containers(k8s)
        for var, source in k8s.env_names(container)
        if var not in ALLOWED_VARS
    }
    assert not unknown, f"variables no code reads (typo?): {sorted(unknown)}"
    for cm in k8s.objects("ConfigMap"):
        bad = set(k8s.configmap_data(cm)) - ALLOWED_VARS
        assert not bad, f"ConfigMap {cm} has keys no code reads: {sorted(bad)}"
    test_only = {
        f"{where}: {var}"
        for where, container in _all_k8s_containers(k8s)
        for var, _ in k8s.env_names(container)
        if var in FORBIDDEN_VARS
    }
    assert not test_only, f"test-only variables in deploy/k8s: {sorted(test_only)}"


def test_k8s_secret_keys_are_all_used_and_urls_parse(k8s: K8s) -> None:
    secret = k8s.secret_data("linli-secrets")
    used = {
        item["valueFrom"]["secretKeyRef"]["key"]
        for _, container in _all_k8s_containers(k8s)
        for item in container.get("env") or []
        if "secretKeyRef" in (item.get("valueFrom") or {})
    }
    assert set(secret) == used, f"Secret keys {sorted(secret)} vs referenced {sorted(used)}"
    for key, value in secret.items():
        if key.endswith("DATABASE_URL"):
            url = make_url(value)
            assert url.drivername == "postgresql+asyncpg", f"{key}: driver {url.drivername!r}"


def test_k8s_secret_placeholder_cannot_run_in_production(k8s: K8s) -> None:
    """An unedited secret.yaml must not yield a working deployment with a published JWT secret."""
    assert k8s.secret_data("linli-secrets")["JWT_SECRET"] == DEFAULT_JWT_SECRET
    env = k8s.env(k8s.app_container("gateway"))
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        _settings_from(env)


@pytest.mark.parametrize("name", APPS)
def test_k8s_settings_validate(k8s: K8s, name: str) -> None:
    real_secret = {"JWT_SECRET": DUMMY_SECRET}
    pod = k8s.pod_spec(name)
    for container in [*(pod.get("initContainers") or []), *pod["containers"]]:
        try:
            settings = _settings_from(k8s.env(container, real_secret))
        except ValidationError as exc:
            pytest.fail(f"{name}/{container['name']}: Settings refuse the environment:\n{exc}")
        if name in DATA_SERVICES:
            url = make_url(settings.database_url_for(name))
            assert url.database == f"linli_{name}"


def test_k8s_dispatch_autoscales(k8s: K8s) -> None:
    hpas = k8s.objects("HorizontalPodAutoscaler")
    targeting = [h for h in hpas.values() if h["spec"]["scaleTargetRef"]["name"] == "dispatch"]
    assert targeting, f"no HorizontalPodAutoscaler targets the dispatch Deployment (found {sorted(hpas)})"
    hpa = targeting[0]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    metrics = hpa["spec"]["metrics"]
    assert any(m.get("resource", {}).get("name") == "cpu" for m in metrics), "HPA should scale on CPU"
    requests = k8s.app_container("dispatch").get("resources", {}).get("requests", {})
    assert "cpu" in requests, "a CPU HPA needs cpu requests on the dispatch container"


# ---------------------------------------------------------------------------------------------------
# deploy/Dockerfile, init.sql, prometheus.yml


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    result = []
    for line in joined.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        keyword, _, rest = stripped.partition(" ")
        result.append((keyword.upper(), rest.strip()))
    return result


def test_dockerfile_builds_the_locked_project_and_starts_linli() -> None:
    instructions = _dockerfile_instructions()
    froms = [rest for kw, rest in instructions if kw == "FROM"]
    assert froms, "no FROM"
    # Python stages on one base; the web app is built in a Node stage whose output is copied in.
    python_froms = [f for f in froms if not f.startswith("node:")]
    assert all(f.split()[0] == "python:3.11-slim" for f in python_froms), f"base images: {froms}"
    assert froms[-1].split()[0] == "python:3.11-slim", "the runtime image is the Python one"
    runs = " ".join(rest for kw, rest in instructions if kw == "RUN")
    assert "uv sync --frozen" in runs, "the image must install from uv.lock (uv sync --frozen)"
    assert "--no-dev" in runs, "the image should leave out the dev dependency group"
    pin = re.search(r"uv==([\d.]+)", runs)
    makefile_pin = re.search(r"^UV_VERSION\s*:?=\s*(\S+)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert pin, "uv is not pinned in the Dockerfile"
    if makefile_pin:
        assert pin.group(1) == makefile_pin.group(1), f"uv {pin.group(1)} in the image, {makefile_pin.group(1)} in make"
    copied = " ".join(rest for kw, rest in instructions if kw == "COPY")
    for folder in ("shared", "services", "linli"):
        assert re.search(rf"(^|\s){folder}/?(\s|$)", copied), f"the Dockerfile does not copy {folder}/"
    for lock_file in ("pyproject.toml", "uv.lock"):
        assert lock_file in copied, f"the Dockerfile does not copy {lock_file}"
    entrypoint = [rest for kw, rest in instructions if kw == "ENTRYPOINT"]
    assert entrypoint, "no ENTRYPOINT"
    assert json.loads(entrypoint[-1]) == ["linli"], f"ENTRYPOINT {entrypoint[-1]}"
    cmd = [rest for kw, rest in instructions if kw == "CMD"]
    assert cmd, "no CMD"
    assert json.loads(cmd[-1]) == ["serve", "gateway"], f"CMD {cmd[-1]}"
    users = [rest for kw, rest in instructions if kw == "USER"]
    assert users, "no USER: the image would run as root"
    assert users[-1].split(":")[0] not in ("root", "0"), f"the image runs as {users[-1]}"


def test_dockerfile_builds_the_web_app_into_the_image() -> None:
    """The gateway serves web/dist at /: without it the image answers 404 where the app should be."""
    instructions = _dockerfile_instructions()
    froms = [rest for kw, rest in instructions if kw == "FROM"]
    web = [f for f in froms if f.startswith("node:")]
    assert web, "no Node stage builds web/"
    assert int(web[0].split(":")[1].split("-")[0]) >= 20, f"web built with {web[0]} (the Makefile needs Node >= 20)"
    runs = " ".join(rest for kw, rest in instructions if kw == "RUN")
    assert "npm ci" in runs, "the web stage should install from the lock file"
    assert "npm run build" in runs, "the web stage should build the app"
    copies = [rest for kw, rest in instructions if kw == "COPY"]
    assert any(c.startswith("--from=web") and c.endswith("/app/web/dist") for c in copies), copies


def test_dockerfile_copies_dependencies_before_code() -> None:
    instructions = _dockerfile_instructions()
    order = [(kw, rest) for kw, rest in instructions if kw in ("COPY", "RUN")]
    first_lock = next(i for i, (kw, rest) in enumerate(order) if kw == "COPY" and "uv.lock" in rest)
    first_code = next(i for i, (kw, rest) in enumerate(order) if kw == "COPY" and rest.startswith("shared"))
    deps_sync = [i for i, (kw, rest) in enumerate(order) if kw == "RUN" and "--no-install-project" in shlex.split(rest)]
    assert deps_sync, "no `uv sync --no-install-project` step (dependencies as their own layer)"
    assert first_lock < deps_sync[0] < first_code, "dependencies should be a layer before the code"


def test_init_sql_creates_the_four_databases() -> None:
    sql = (DEPLOY / "postgres" / "init.sql").read_text(encoding="utf-8")
    created = set(re.findall(r"create\s+database\s+\"?(\w+)\"?", sql, re.IGNORECASE))
    expected = {f"linli_{name}" for name in DATA_SERVICES}
    assert expected <= created, f"init.sql creates {sorted(created)}, missing {sorted(expected - created)}"


def test_prometheus_scrapes_all_five(compose_env: dict[str, dict[str, str]]) -> None:
    config = _load_yaml(DEPLOY / "prometheus.yml")
    targets: set[str] = set()
    for job in config["scrape_configs"]:
        assert job.get("metrics_path", "/metrics") == "/metrics", f"job {job['job_name']}: metrics_path"
        for static in job.get("static_configs") or []:
            targets.update(static["targets"])
    expected = {f"{name}:{compose_env[name]['PORT']}" for name in APPS}
    assert expected <= targets, f"prometheus.yml scrapes {sorted(targets)}, missing {sorted(expected - targets)}"


def test_the_registry_alone_gets_the_personal_data_keys(compose_env: dict[str, dict[str, str]]) -> None:
    holders = {name for name, env in compose_env.items() if "PII_ENCRYPTION_KEY" in env and "PII_HASH_KEY" in env}
    assert holders == {"registry"}
    registry = _settings_from(compose_env["registry"])
    registry.check_pii_keys()  # production with the compose keys: accepted


def test_k8s_registry_reads_both_personal_data_keys_from_the_secret(k8s: K8s) -> None:
    containers = k8s.get("Deployment", "registry")["spec"]["template"]["spec"]["containers"]
    registry = next(c for c in containers if c["name"] == "registry")
    keys = {e["name"]: e["valueFrom"]["secretKeyRef"]["key"] for e in registry["env"] if "valueFrom" in e}
    assert keys["PII_ENCRYPTION_KEY"] == "PII_ENCRYPTION_KEY"
    assert keys["PII_HASH_KEY"] == "PII_HASH_KEY"
    assert {"PII_ENCRYPTION_KEY", "PII_HASH_KEY"} <= set(k8s.get("Secret", "linli-secrets")["stringData"])
