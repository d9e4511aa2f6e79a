"""The Kubernetes manifests under deploy/kubernetes/: rendered offline, checked against
Kubernetes' own schemas (kubernetes-validate, strict: no unknown fields), and checked to fit
mockproxy: probes on its endpoints, its config loading as the pod would read it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes_validate.utils import ValidationError, validate

from proxy.admin import admin_routes
from proxy.catalog import build_catalog
from proxy.config import load_settings
from tests.deploy.kustomize import Resource, render

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
BASE = KUBERNETES / "base"
SHARED = KUBERNETES / "overlays" / "shared-environment"
SIDECAR = KUBERNETES / "sidecar" / "job-with-mockproxy.yaml"
KUBERNETES_VERSION = "1.30"  # the oldest release still supported upstream, with native sidecars


def manifests() -> dict[str, list[Resource]]:
    return {
        "base": render(BASE),
        "shared-environment": render(SHARED),
        "sidecar": list(yaml.load_all(SIDECAR.read_text(), yaml.SafeLoader)),
    }


def one(resources: list[Resource], kind: str, name: str = "mockproxy") -> Resource:
    [found] = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    return found


def server_container(resources: list[Resource]) -> dict[str, Any]:
    pod = one(resources, "Deployment")["spec"]["template"]["spec"]
    [container] = pod["containers"]
    return container  # type: ignore[no-any-return]  # parsed YAML


@pytest.mark.parametrize("name", ["base", "shared-environment", "sidecar"])
def test_every_manifest_meets_the_kubernetes_schema(name: str) -> None:
    """Each rendered resource validates, unknown fields refused, against Kubernetes' schemas."""
    resources = manifests()[name]
    assert resources
    for resource in resources:
        validate(resource, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_refuses_a_misspelt_field() -> None:
    """A misspelt field fails the check the manifests pass (the check can fail)."""
    deployment = copy.deepcopy(one(render(BASE), "Deployment"))
    deployment["spec"]["replica"] = deployment["spec"].pop("replicas")
    with pytest.raises(ValidationError):
        validate(deployment, KUBERNETES_VERSION, strict=True)


def test_base_has_each_resource_a_shared_environment_needs() -> None:
    """The base is a Deployment, Service, ConfigMap, HorizontalPodAutoscaler and
    PodDisruptionBudget, and the Service, the budget and the autoscaler all find the pods."""
    resources = render(BASE)
    assert sorted(r["kind"] for r in resources) == [
        "ConfigMap",
        "Deployment",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Service",
    ]
    deployment = one(resources, "Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    service_selector = one(resources, "Service")["spec"]["selector"]
    budget_selector = one(resources, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"]
    assert service_selector.items() <= pod_labels.items()
    assert budget_selector.items() <= pod_labels.items()
    target = one(resources, "HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "mockproxy")


def test_probes_ask_ready_and_health_on_the_served_port() -> None:
    """Readiness asks /_mockproxy/ready and liveness /_mockproxy/health, endpoints mockproxy
    serves, on the port the Service sends traffic to."""
    resources = render(BASE)
    container = server_container(resources)
    served = {route.path for route in admin_routes()}
    readiness, liveness = container["readinessProbe"], container["livenessProbe"]
    assert (readiness["httpGet"]["path"], liveness["httpGet"]["path"]) == (
        "/_mockproxy/ready",
        "/_mockproxy/health",
    )
    assert {readiness["httpGet"]["path"], liveness["httpGet"]["path"]} <= served
    [port] = container["ports"]
    assert readiness["httpGet"]["port"] == liveness["httpGet"]["port"] == port["name"]
    assert one(resources, "Service")["spec"]["ports"][0]["targetPort"] == port["name"]


def test_the_server_runs_non_root_within_resources() -> None:
    """The pod runs as a non-root user with a read-only root, no privilege escalation and no
    capabilities, and asks for and caps CPU and memory."""
    resources = render(BASE)
    pod = one(resources, "Deployment")["spec"]["template"]["spec"]
    container = server_container(resources)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    context = container["securityContext"]
    assert (context["readOnlyRootFilesystem"], context["allowPrivilegeEscalation"]) == (True, False)
    assert context["capabilities"]["drop"] == ["ALL"]
    for bound in ("requests", "limits"):
        assert set(container["resources"][bound]) == {"cpu", "memory"}


def test_a_stopping_pod_serves_on_until_the_service_forgets_it(tmp_path: Path) -> None:
    """Before SIGTERM the pod pauses while endpoints drop it; the pause and the server's
    shutdown_timeout both fit in the grace period."""
    resources = render(BASE)
    pod = one(resources, "Deployment")["spec"]["template"]["spec"]
    container = server_container(resources)
    pause = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    settings = load_settings(config_in_pod(resources, tmp_path, container), environ={})
    assert pause >= 5
    assert pause + settings.server.shutdown_timeout < pod["terminationGracePeriodSeconds"]


def config_in_pod(resources: list[Resource], directory: Path, container: dict[str, Any]) -> Path:
    """The ConfigMap's files where the container mounts them (below ``directory``), and the
    config file the container's MOCKPROXY_CONFIG names."""
    pod_volumes = one(resources, "Deployment")["spec"]["template"]["spec"]["volumes"]
    environment = {variable["name"]: variable.get("value") for variable in container["env"]}
    for mount in container["volumeMounts"]:
        [volume] = [v for v in pod_volumes if v["name"] == mount["name"]]
        if "configMap" in volume:
            config_map = one(resources, "ConfigMap", volume["configMap"]["name"])
            where = directory / mount["mountPath"].lstrip("/")
            where.mkdir(parents=True)
            for file, text in config_map["data"].items():
                (where / file).write_text(text)
    return directory / environment["MOCKPROXY_CONFIG"].lstrip("/")


def test_the_config_map_serves_the_sample_api_as_the_pod_reads_it(tmp_path: Path) -> None:
    """The config and spec in the ConfigMap, laid out as mounted, load and build, with the
    journal in memory by default."""
    resources = render(BASE)
    config = config_in_pod(resources, tmp_path, server_container(resources))
    settings = load_settings(config, environ={})
    assert [api.name for api in build_catalog(settings).apis] == ["fax"]
    assert (settings.host, settings.port, settings.journal_store) == ("0.0.0.0", 8080, "memory")


def test_the_sample_spec_in_the_config_map_is_the_bundled_one() -> None:
    """The base's copy of the fax spec is the one in config/specs/ (kustomize reads files only
    below the kustomization)."""
    bundled = (ROOT / "config" / "specs" / "fax.yaml").read_text()
    assert (BASE / "specs" / "fax.yaml").read_text() == bundled


def test_redis_component_points_the_journal_at_its_redis(tmp_path: Path) -> None:
    """With the redis-journal component, the pods' journal.store is the Redis Service's
    address, that Service finds the Redis pod, and only mockproxy's pods may reach it."""
    resources = render(SHARED)
    container = server_container(resources)
    environment = {variable["name"]: variable.get("value") for variable in container["env"]}
    config = config_in_pod(resources, tmp_path, container)
    settings = load_settings(config, environ=environment)
    service = one(resources, "Service", "mockproxy-redis")
    [port] = service["spec"]["ports"]
    assert settings.journal_store == f"redis://{service['metadata']['name']}:{port['port']}/0"
    redis = one(resources, "Deployment", "mockproxy-redis")
    redis_labels = redis["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= redis_labels.items()
    policy = one(resources, "NetworkPolicy", "mockproxy-redis")["spec"]
    assert policy["podSelector"]["matchLabels"].items() <= redis_labels.items()
    [allowed] = policy["ingress"][0]["from"]
    server_labels = one(resources, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert allowed["podSelector"]["matchLabels"].items() <= server_labels.items()


def test_sidecar_listens_on_the_pods_loopback_where_the_app_calls_it(tmp_path: Path) -> None:
    """The sidecar is a native sidecar (an init container that keeps running) that reads the
    base's config and listens on the pod's loopback, at the address the app's base URL names."""
    [job] = manifests()["sidecar"]
    pod = job["spec"]["template"]["spec"]
    [sidecar] = pod["initContainers"]
    [app] = pod["containers"]
    assert sidecar["restartPolicy"] == "Always"
    sidecar_env = {variable["name"]: variable["value"] for variable in sidecar["env"]}
    app_env = {variable["name"]: variable["value"] for variable in app["env"]}
    [config_map] = [r for r in render(BASE) if r["kind"] == "ConfigMap"]
    [volume] = [v for v in pod["volumes"] if v.get("configMap")]
    assert volume["configMap"]["name"] == config_map["metadata"]["name"]
    for file, text in config_map["data"].items():
        (tmp_path / file).write_text(text)
    config = tmp_path / Path(sidecar_env["MOCKPROXY_CONFIG"]).name
    settings = load_settings(config, environ=sidecar_env)
    mount = settings.apis["fax"].mount
    assert app_env["FAX_BASE_URL"] == f"http://{settings.host}:{settings.port}{mount}"
    assert settings.host == "127.0.0.1"
