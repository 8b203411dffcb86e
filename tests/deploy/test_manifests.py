"""No cluster or Docker engine runs here: the Kubernetes manifests are validated against the Kubernetes
JSON schemas that kubernetes-validate ships (offline, strict: unknown fields refused), and the compose
file, nginx.conf and the manifests are read for what the service needs."""


import os
import re
from pathlib import PurePosixPath

import kubernetes_validate
import pytest
import yaml

from incentive_api.config import Settings
from incentive_api.service.rules import load_compiled as load_ruleset
from support.helpers import ROOT

DEPLOY = ROOT / "deploy"
K8S_VERSION = "1.37.0"


def documents() -> list[dict]:
    return [doc for path in sorted((DEPLOY / "k8s").glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]


def kind(name: str) -> dict:
    return next(d for d in documents() if d["kind"] == name)


@pytest.mark.parametrize("doc", documents(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_every_manifest_is_valid_against_the_kubernetes_schema(doc):
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_deployment_probes_serves_and_is_bounded():
    deployment = kind("Deployment")
    pod = deployment["spec"]["template"]["spec"]
    api = pod["containers"][0]
    assert api["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert api["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert api["ports"] == [{"name": "http", "containerPort": 8000}]
    assert set(api["resources"]) == {"requests", "limits"}
    env = {e["name"]: e for e in api["env"]}
    assert env["REDIS_URL"]["value"].startswith("redis+cluster://")
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == "incentive-database"
    mounts = {m["name"]: m["mountPath"] for m in api["volumeMounts"]}
    assert env["RULES_DIR"]["value"] == mounts["rules"]
    assert env["API_KEYS_FILE"]["value"].startswith(mounts["api-keys"] + "/")
    assert env["RECEIPT_KEYS_FILE"]["value"].startswith(mounts["receipt-keys"] + "/")
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["rules"]["configMap"]["name"] == rules_configmap()["metadata"]["name"]
    secrets = {d["metadata"]["name"] for d in documents() if d["kind"] == "Secret"}
    assert {volumes["api-keys"]["secret"]["secretName"], volumes["receipt-keys"]["secret"]["secretName"],
            "incentive-database"} <= secrets
    assert pod["securityContext"]["runAsUser"] == 10001  # the Dockerfile's user


MASTER_MIB, WORKER_MIB = 256, 256  # a process's own memory with the rules loaded, before it caches answers


def memory_needed(env: dict) -> int:
    """MiB a replica needs: the master, and each worker with its cache full (an answer under two keys)."""
    workers = int(env["WEB_CONCURRENCY"])
    cache = int(env.get("CACHE_L1_MB") or Settings().cache_l1_mb)
    return MASTER_MIB + workers * (WORKER_MIB + 2 * cache)


def _mib(quantity: str) -> int:
    number, unit = re.fullmatch(r"([0-9]+)([A-Za-z]*)", quantity).groups()
    return int(number) * {"Mi": 1, "Gi": 1024, "m": 1, "g": 1024}[unit]


def test_the_memory_limits_follow_from_the_workers_and_their_cache():
    api = kind("Deployment")["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in api["env"]}
    assert _mib(api["resources"]["limits"]["memory"]) >= memory_needed(env)
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    service = next(s for s in compose["services"].values() if "WEB_CONCURRENCY" in (s.get("environment") or {}))
    assert _mib(service["deploy"]["resources"]["limits"]["memory"]) >= memory_needed(service["environment"])


def test_the_pod_meets_the_restricted_security_level_and_drains_before_it_stops():
    pod = kind("Deployment")["spec"]["template"]["spec"]
    api = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert api["securityContext"]["allowPrivilegeEscalation"] is False
    assert api["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert pod["automountServiceAccountToken"] is False
    # Taken out of the Service before SIGTERM, and drained (gunicorn's graceful_timeout, 10 s) within the grace.
    pause = api["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert pause > 0 and pause + 10 < pod["terminationGracePeriodSeconds"]


def test_the_service_autoscaler_and_budget_point_at_the_deployment():
    labels = kind("Deployment")["spec"]["template"]["metadata"]["labels"]
    assert kind("Service")["spec"]["selector"] == labels
    assert kind("Service")["spec"]["ports"][0]["targetPort"] == "http"
    assert kind("PodDisruptionBudget")["spec"]["selector"]["matchLabels"] == labels
    hpa = kind("HorizontalPodAutoscaler")["spec"]
    assert hpa["scaleTargetRef"]["name"] == kind("Deployment")["metadata"]["name"]
    assert hpa["minReplicas"] > kind("PodDisruptionBudget")["spec"]["minAvailable"]


def rules_configmap() -> dict:
    """The ConfigMap `kubectl create configmap incentive-rules --from-file=rules/` makes (README, deployment.yaml)."""
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "incentive-rules"},
            "data": {p.name: p.read_text() for p in sorted((ROOT / "rules").iterdir()) if p.is_file()}}


def mounted_configmap(mount, data: dict) -> None:
    """A ConfigMap volume laid out as the kubelet lays it out: the files in a hidden, timestamped directory,
    `..data` linking to it, and beside it one link per file through `..data`."""
    version = mount / "..2026_11_30_05_57_00.123456789"
    version.mkdir(parents=True)
    for name, text in data.items():
        (version / name).write_text(text)
    os.symlink(version.name, mount / "..data")
    for name in data:
        os.symlink(f"..data/{name}", mount / name)


def test_the_rules_fit_a_configmap_and_load_from_where_the_pod_reads_them(tmp_path):
    configmap = rules_configmap()
    kubernetes_validate.validate(configmap, K8S_VERSION, strict=True)
    data = configmap["data"]
    assert sum(len(t.encode()) for t in data.values()) < 1024 * 1024  # a ConfigMap holds at most 1 MiB
    api = kind("Deployment")["spec"]["template"]["spec"]["containers"][0]
    mount = PurePosixPath(next(m["mountPath"] for m in api["volumeMounts"] if m["name"] == "rules"))
    rules_dir = PurePosixPath(next(e["value"] for e in api["env"] if e["name"] == "RULES_DIR"))
    mounted_configmap(tmp_path / "mount", data)
    ruleset = load_ruleset(tmp_path / "mount" / rules_dir.relative_to(mount))
    assert ruleset.revision == load_ruleset(ROOT / "rules").revision


def test_compose_runs_replicas_behind_a_buffering_nginx():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    replicas = [name for name, s in services.items() if s.get("image") == "incentive-api:latest"]
    assert len(replicas) >= 2
    for name in replicas:
        env = services[name]["environment"]
        assert env["REDIS_URL"].startswith("redis://redis:") and env["DATABASE_URL"].startswith("postgresql://")
        assert env["TRUSTED_PROXIES"] == "1"  # behind the one nginx: wrong-key budgets per real client
        assert {"redis", "postgres"} <= set(services[name]["depends_on"])
    assert {"redis", "postgres", "nginx"} <= set(services)
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "proxy_request_buffering on;" in nginx and "proxy_buffering on;" in nginx
    for name in replicas:
        assert f"server {name}:8000" in nginx
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]
    # The API, not nginx, refuses a body too large: its 413 is problem+json.
    limit = re.search(r"client_max_body_size (\d+)m;", nginx)
    assert limit and int(limit.group(1)) * 1024 * 1024 > Settings().max_body_bytes
