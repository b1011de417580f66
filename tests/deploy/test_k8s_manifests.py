"""deploy/k8s against the Kubernetes API and against the code: no cluster runs here, so every
built-in object is checked field by field against the Kubernetes API's own types (the models
generated into the `kubernetes` client carry each field's JSON name and type): a misspelt field,
which `kubectl apply` would reject or, worse, silently drop, fails here. Custom resources
(Prometheus Operator, KEDA, kustomize) have no schema here; their references to the rest of the
manifests and to the code (consumer groups, metric names) are checked instead.

Not checked without a cluster: admission (quotas, pod security), that the ingress controller and
the CRDs are installed, the NetworkPolicies' effect under a real CNI."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client

from services.billing import measures as billing_measures
from services.deliberation import measures as deliberation_measures
from services.dispatch import measures as dispatch_measures
from services.registry import measures as registry_measures
from shared.observability import Metrics

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
DATA_SERVICES = ("registry", "dispatch", "billing", "deliberation")
APPS = ("gateway", *DATA_SERVICES)

# (apiVersion, kind) -> the generated model of that object.
MODELS: dict[tuple[str, str], str] = {
    ("v1", "Namespace"): "V1Namespace",
    ("v1", "ConfigMap"): "V1ConfigMap",
    ("v1", "Secret"): "V1Secret",
    ("v1", "Service"): "V1Service",
    ("apps/v1", "Deployment"): "V1Deployment",
    ("batch/v1", "Job"): "V1Job",
    ("autoscaling/v2", "HorizontalPodAutoscaler"): "V2HorizontalPodAutoscaler",
    ("policy/v1", "PodDisruptionBudget"): "V1PodDisruptionBudget",
    ("networking.k8s.io/v1", "NetworkPolicy"): "V1NetworkPolicy",
    ("networking.k8s.io/v1", "Ingress"): "V1Ingress",
}
CUSTOM = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule"),
    ("keda.sh/v1alpha1", "ScaledObject"),
}


def load_all(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc]


def manifests() -> list[tuple[str, dict[str, Any]]]:
    """Every object under deploy/k8s (base and components), with the file it is in."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(K8S.rglob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        found.extend((str(path.relative_to(K8S)), doc) for doc in load_all(path))
    return found


def objects(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for _, d in manifests() if d["kind"] == kind}


def type_errors(value: Any, typ: str, where: str) -> list[str]:
    """Where `value` does not fit the client's type string `typ` (a model name, str, int, bool,
    object, List[...], Dict[str, ...])."""
    if typ.startswith("List["):
        if not isinstance(value, list):
            return [f"{where}: a list expected, got {type(value).__name__}"]
        return [e for i, item in enumerate(value) for e in type_errors(item, typ[5:-1], f"{where}[{i}]")]
    if typ.startswith("Dict["):
        if not isinstance(value, dict):
            return [f"{where}: a mapping expected, got {type(value).__name__}"]
        inner = typ[typ.index(",") + 1 : -1].strip()
        return [e for k, v in value.items() for e in type_errors(v, inner, f"{where}.{k}")]
    scalar: dict[str, tuple[type, ...]] = {
        "str": (str,),
        "int": (int,),
        "float": (int, float),
        "bool": (bool,),
        "datetime": (str,),
        "bytes": (str,),
    }
    if typ in scalar:
        fits = isinstance(value, scalar[typ]) and not (typ in ("int", "float") and isinstance(value, bool))
        return [] if fits else [f"{where}: {typ} expected, got {value!r}"]
    if typ == "object":  # IntOrString, quantities given as objects, free-form fields
        return []
    model = getattr(client.models, typ)
    if not isinstance(value, dict):
        return [f"{where}: a {typ} mapping expected, got {value!r}"]
    by_json = {json_name: attr for attr, json_name in model.attribute_map.items()}
    errors = []
    for key, item in value.items():
        if key not in by_json:
            errors.append(f"{where}: {typ} has no field {key!r}")
            continue
        errors.extend(type_errors(item, model.openapi_types[by_json[key]], f"{where}.{key}"))
    return errors


def _label(x: Any) -> str:
    return x if isinstance(x, str) else str(x["metadata"]["name"])


@pytest.mark.parametrize(("where", "doc"), manifests(), ids=_label)
def test_every_object_fits_the_kubernetes_api(where: str, doc: dict[str, Any]) -> None:
    key = (doc["apiVersion"], doc["kind"])
    if key in CUSTOM:
        assert doc["metadata"]["name"], where
        return
    assert key in MODELS, f"{where}: {key} is neither a known built-in type nor a known custom resource"
    assert type_errors(doc, MODELS[key], f"{where}:{doc['kind']}/{doc['metadata']['name']}") == []


def test_kustomization_lists_every_file_and_pins_a_versioned_image() -> None:
    kustomization = load_all(K8S / "kustomization.yaml")[0]
    listed = set(kustomization["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk, f"in kustomization.yaml but missing: {listed - on_disk}; not listed: {on_disk - listed}"
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    (image,) = kustomization["images"]
    assert image["name"] == "linli"
    assert str(image["newTag"]) == version, f"image tag {image['newTag']} but the project is {version}"
    for component in ("monitoring", "keda"):
        folder = K8S / "components" / component
        spec = load_all(folder / "kustomization.yaml")[0]
        assert spec["kind"] == "Component"
        for resource in spec["resources"]:
            assert (folder / resource).is_file(), f"{component}: {resource} is missing"


def test_the_release_migrates_in_a_job_named_for_its_version() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    jobs = objects("Job")
    name = f"linli-migrate-{version.replace('.', '-')}"
    assert list(jobs) == [name], f"expected one migration Job {name}, found {list(jobs)}"
    containers = {c["name"]: c for c in jobs[name]["spec"]["template"]["spec"]["containers"]}
    assert set(containers) == set(DATA_SERVICES)
    deployments = objects("Deployment")
    for service in DATA_SERVICES:
        (init,) = deployments[service]["spec"]["template"]["spec"]["initContainers"]
        job = containers[service]
        assert job["args"] == ["migrate", service]
        # The same settings as the rollout's own migration, so neither can drift from the other.
        assert (job["env"], job["envFrom"]) == (init["env"], init["envFrom"]), service


def test_every_app_keeps_a_replica_through_a_disruption() -> None:
    budgets = objects("PodDisruptionBudget")
    hpas = objects("HorizontalPodAutoscaler")
    for name, deployment in objects("Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        matching = [b for b in budgets.values() if b["spec"]["selector"]["matchLabels"].items() <= labels.items()]
        assert len(matching) == 1, f"{name}: {len(matching)} PodDisruptionBudgets select it"
        replicas = deployment["spec"].get("replicas") or hpas[name]["spec"]["minReplicas"]
        assert 1 <= matching[0]["spec"]["minAvailable"] < replicas, f"{name}: a drain could block or empty it"


def _allows(policy: dict[str, Any], peer: dict[str, Any], port: int) -> bool:
    for rule in policy["spec"].get("ingress") or []:
        ports = [p["port"] for p in rule.get("ports") or []]
        if ports and port not in ports:
            continue
        for source in rule.get("from") or []:
            if source == peer:
                return True
    return False


def test_only_the_gateway_is_reachable_from_outside() -> None:
    policies = objects("NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny["podSelector"] == {}
    assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
    outside = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
    gateway_pods = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}}
    ports = {"gateway": 8000, "registry": 8101, "dispatch": 8102, "billing": 8103, "deliberation": 8104}
    for app, port in ports.items():
        pods = {"app.kubernetes.io/name": app}
        selecting = [p for p in policies.values() if p["spec"]["podSelector"].get("matchLabels") == pods]
        assert len(selecting) == 1, app
        policy = selecting[0]
        assert _allows(policy, outside, port) == (app == "gateway"), f"{app}: reachable from outside?"
        if app != "gateway":
            assert _allows(policy, gateway_pods, port), f"the gateway cannot reach {app}"
            egress_ports = {p["port"] for rule in policy["spec"]["egress"] for p in rule.get("ports") or []}
            assert {5432, 9092} <= egress_ports, f"{app} cannot reach PostgreSQL and the brokers"
    ingress = objects("Ingress")["linli"]
    (rule,) = ingress["spec"]["rules"]
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == "gateway"
    assert ingress["spec"]["tls"], "the ingress should terminate TLS"
    assert "nginx.ingress.kubernetes.io/limit-rps" in ingress["metadata"]["annotations"]


def test_consumers_scale_on_the_lag_of_the_group_they_consume_in() -> None:
    from services.billing.consumers import handlers as billing
    from services.deliberation.consumers import handlers as deliberation
    from services.dispatch.consumers import handlers as dispatch
    from services.registry.notifications.consumers import notification_handlers
    from shared.settings import Settings

    consumes = {
        "registry": notification_handlers(Settings()).topics(),
        "dispatch": dispatch.topics(),
        "billing": billing.topics(),
        "deliberation": deliberation.topics(),
    }
    partitions = int(objects("ConfigMap")["linli-config"]["data"]["KAFKA_PARTITIONS"])
    scaled = objects("ScaledObject")
    assert set(scaled) == set(DATA_SERVICES)
    for service, obj in scaled.items():
        assert consumes[service], f"{service} consumes nothing: lag cannot scale it"
        assert obj["spec"]["scaleTargetRef"]["name"] == service
        triggers = {t["type"]: t for t in obj["spec"]["triggers"]}
        # The consumer group is the service's name (shared/events/consumer.py subscribes so).
        assert triggers["kafka"]["metadata"]["consumerGroup"] == service
        assert "cpu" in triggers
        assert obj["spec"]["maxReplicaCount"] <= partitions, f"{service}: replicas beyond the partitions idle"
    patches = load_all(K8S / "components" / "keda" / "kustomization.yaml")[0]["patches"]
    assert any(p["target"] == {"kind": "HorizontalPodAutoscaler", "name": "dispatch"} for p in patches), (
        "KEDA's HPA and the base's would fight over dispatch"
    )


def _exported_metrics() -> set[str]:
    metrics = Metrics("test")
    for service in (registry_measures, dispatch_measures, billing_measures, deliberation_measures):
        for measure in service.MEASURES:  # the business measures, made when /metrics is read
            metrics.measure(measure)
    names = set()
    for metric in metrics.registry.collect():
        for sample in metric.samples:
            names.add(sample.name)
        names.add(metric.name)
        if metric.type == "histogram":
            names.update({f"{metric.name}_bucket", f"{metric.name}_sum", f"{metric.name}_count"})
        if metric.type == "counter":
            names.add(f"{metric.name}_total")
    return names


def _metric_names(expr: str) -> set[str]:
    return set(re.findall(r"\b(linli_[a-z_]+)", expr))


def test_alerts_and_dashboard_use_only_metrics_the_services_export() -> None:
    exported = _exported_metrics()
    rules = yaml.safe_load((DEPLOY / "alerts.yml").read_text(encoding="utf-8"))
    alerts = [rule for group in rules["groups"] for rule in group["rules"]]
    assert {"LinliServiceDown", "LinliServerErrors", "LinliConsumerLag", "LinliDeadLetters"} <= {
        a["alert"] for a in alerts
    }
    for alert in alerts:
        assert alert["labels"]["severity"] in ("page", "ticket"), alert["alert"]
        assert _metric_names(alert["expr"]) <= exported, alert["alert"]
    # The Kubernetes PrometheusRule carries the same rules as the compose file.
    (rule,) = objects("PrometheusRule").values()
    assert rule["spec"]["groups"] == rules["groups"]
    prometheus = yaml.safe_load((DEPLOY / "prometheus.yml").read_text(encoding="utf-8"))
    assert prometheus["rule_files"] == ["/etc/prometheus/alerts.yml"]

    dashboard = json.loads((DEPLOY / "grafana" / "linli.json").read_text(encoding="utf-8"))
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert exprs
    for expr in exprs:
        assert _metric_names(expr), expr
        assert _metric_names(expr) <= exported, expr
    assert any("route" in e and "linli_http_request_seconds_bucket" in e for e in exprs), "latency per route"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))


def test_service_monitors_select_the_services_metrics_port() -> None:
    services = objects("Service")
    monitors = objects("ServiceMonitor")
    assert set(monitors) == set(APPS)
    for name, monitor in monitors.items():
        labels = services[name]["metadata"]["labels"]
        assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
        (endpoint,) = monitor["spec"]["endpoints"]
        assert endpoint["port"] in {p["name"] for p in services[name]["spec"]["ports"]}
        assert endpoint["path"] == "/metrics"
