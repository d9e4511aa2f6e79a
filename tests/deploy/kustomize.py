"""A small offline kustomize: renders the kustomizations under deploy/kubernetes/ for the tests,
where no kustomize binary is at hand.

It does what those kustomizations use, the way kustomize does it: resources (files and
directories), components and their strategic-merge patches, configMapGenerator (files; no
hash suffix, so references stay as written), labels (with includeSelectors), images and
namespace. Anything else in a kustomization is an error, so a new feature is not skipped
silently.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from proxy.yamlio import load_yaml

Resource = dict[str, Any]

_KNOWN = frozenset(
    {"apiVersion", "kind", "resources", "components", "patches"}
    | {"configMapGenerator", "labels", "images", "namespace"}
)
_SELECTOR_PATHS = {  # where kustomize puts labels that select (includeSelectors: true)
    "Deployment": [("spec", "selector", "matchLabels"), ("spec", "template", "metadata", "labels")],
    "Service": [("spec", "selector")],
    "PodDisruptionBudget": [("spec", "selector", "matchLabels")],
}
_CLUSTER_WIDE = frozenset({"Namespace"})


def render(directory: Path) -> list[Resource]:
    """Every resource the kustomization in ``directory`` builds."""
    kustomization = load_yaml((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - _KNOWN
    assert not unknown, f"{directory}: kustomization fields the test renderer lacks: {unknown}"
    resources: list[Resource] = []
    for entry in kustomization.get("resources", []):
        path = directory / entry
        resources += render(path) if path.is_dir() else _documents(path)
    for generator in kustomization.get("configMapGenerator", []):
        resources.append(_config_map(directory, generator))
    for component in kustomization.get("components", []):
        resources = _with_component(resources, directory / component)
    for patch in kustomization.get("patches", []):
        _apply_patch(resources, load_yaml((directory / patch["path"]).read_text()))
    for labels in kustomization.get("labels", []):
        _add_labels(resources, labels["pairs"], labels.get("includeSelectors", False))
    for image in kustomization.get("images", []):
        _set_image(resources, image)
    if "namespace" in kustomization:
        for resource in resources:
            if resource["kind"] not in _CLUSTER_WIDE:
                resource["metadata"]["namespace"] = kustomization["namespace"]
    return resources


def _documents(path: Path) -> list[Resource]:
    return [document for document in yaml.load_all(path.read_text(), yaml.SafeLoader) if document]


def _config_map(directory: Path, generator: dict[str, Any]) -> Resource:
    data = {Path(file).name: (directory / file).read_text() for file in generator["files"]}
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": generator["name"]},
        "data": data,
    }


def _with_component(resources: list[Resource], directory: Path) -> list[Resource]:
    component = load_yaml((directory / "kustomization.yaml").read_text())
    assert component["kind"] == "Component", directory
    added = [r for entry in component.get("resources", []) for r in _documents(directory / entry)]
    combined = resources + added
    for patch in component.get("patches", []):
        _apply_patch(combined, load_yaml((directory / patch["path"]).read_text()))
    return combined


def _apply_patch(resources: list[Resource], patch: Resource) -> None:
    """A strategic-merge patch, applied to the resource of its kind and name."""
    name = patch["metadata"]["name"]
    [target] = [
        r for r in resources if r["kind"] == patch["kind"] and r["metadata"]["name"] == name
    ]
    target.update(_merged(target, patch))


def _merged(base: Any, patch: Any) -> Any:
    """Mappings merge key by key; lists of named items merge by name (containers, env,
    volumes, ports); any other value is replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _merged(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    if isinstance(base, list) and isinstance(patch, list) and _named(base) and _named(patch):
        by_name = {item["name"]: item for item in base}
        for item in patch:
            by_name[item["name"]] = _merged(by_name.get(item["name"], {}), item)
        return list(by_name.values())
    return copy.deepcopy(patch)


def _named(items: list[Any]) -> bool:
    return all(isinstance(item, dict) and "name" in item for item in items)


def _add_labels(resources: list[Resource], pairs: dict[str, str], selectors: bool) -> None:
    for resource in resources:
        resource["metadata"].setdefault("labels", {}).update(pairs)
        if not selectors:
            continue
        for path in _SELECTOR_PATHS.get(resource["kind"], []):
            _mapping_at(resource, path).update(pairs)
        if resource["kind"] == "Deployment":
            pod = resource["spec"]["template"]["spec"]
            for constraint in pod.get("topologySpreadConstraints", []):
                constraint["labelSelector"]["matchLabels"].update(pairs)


def _mapping_at(resource: Resource, path: tuple[str, ...]) -> dict[str, Any]:
    here: dict[str, Any] = resource
    for key in path:
        here = here.setdefault(key, {})
    return here


def _set_image(resources: list[Resource], image: dict[str, str]) -> None:
    for resource in resources:
        pod = resource.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            if container["image"].partition(":")[0] == image["name"]:
                name = image.get("newName", image["name"])
                tag = image.get("newTag") or container["image"].partition(":")[2]
                container["image"] = f"{name}:{tag}" if tag else name
