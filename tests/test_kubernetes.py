"""deploy/kubernetes without a cluster: the kustomize base and the example overlay render with kubectl's
built-in kustomize and every manifest validates against the Kubernetes schemas (kubernetes-validate,
strict: an unknown field is an error); then the shape the README promises."""

import os
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
KUBERNETES_VERSION = "1.32"  # the oldest release still supported upstream when this was written


def render(path: str) -> list[dict]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        if os.environ.get("RT_REQUIRE_SERVICES"):
            pytest.fail("kubectl (with its built-in kustomize) is needed to render deploy/kubernetes")
        pytest.skip("no kubectl")
    out = subprocess.run([kubectl, "kustomize", str(ROOT / path)], check=True, capture_output=True, text=True)
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


@pytest.fixture(scope="module")
def base() -> dict[tuple[str, str], dict]:
    return {(doc["kind"], doc["metadata"]["name"]): doc for doc in render("deploy/kubernetes/base")}


@pytest.fixture(scope="module")
def example() -> list[dict]:
    return render("deploy/kubernetes/overlays/example")


def container(doc: dict) -> dict:
    [main] = doc["spec"]["template"]["spec"]["containers"]
    return main


def test_every_manifest_validates_against_the_kubernetes_schemas(base, example):
    for doc in [*base.values(), *(d for d in example if not d["apiVersion"].startswith("keda.sh/"))]:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_one_worker_deployment_per_queue_and_every_queue_has_one(base):
    queues = {}
    for (kind, name), doc in base.items():
        if kind == "Deployment" and name.startswith("rehab-tracker-worker-"):
            command = container(doc)["command"]
            queues[command[command.index("-Q") + 1]] = name
    wanted = {settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_ALERTS_QUEUE, settings.CELERY_EVALUATION_QUEUE}
    assert set(queues) == wanted


def test_beat_runs_exactly_once(base):
    beat = base[("Deployment", "rehab-tracker-beat")]
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"] == {"type": "Recreate"}
    assert not any(kind == "HorizontalPodAutoscaler" and "beat" in name for kind, name in base)


def test_migrations_run_as_a_job_and_no_replica_migrates(base):
    job = base[("Job", "rehab-tracker-migrate")]
    assert container(job)["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for (kind, _), doc in base.items():
        if kind == "Deployment":
            assert "migrate" not in container(doc)["command"]
            [wait] = doc["spec"]["template"]["spec"]["initContainers"]
            assert wait["command"] == ["python", "manage.py", "migrate", "--check"]


def test_web_health_checks_use_the_health_endpoint_and_web_scales_on_cpu(base):
    web = container(base[("Deployment", "rehab-tracker-web")])
    for probe in (web["readinessProbe"], web["livenessProbe"]):
        assert probe["httpGet"]["path"] == "/api/v1/health/"
        assert {"name": "Host", "value": "localhost"} in probe["httpGet"]["httpHeaders"]
    assert "localhost" in base[("ConfigMap", "rehab-tracker-config")]["data"]["ALLOWED_HOSTS"].split(",")
    hpa = base[("HorizontalPodAutoscaler", "rehab-tracker-web")]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "rehab-tracker-web"
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"


def test_configuration_from_the_environment_and_no_secret_in_the_manifests(base):
    assert not any(kind == "Secret" for kind, _ in base)
    for (kind, _), doc in base.items():
        if kind in ("Deployment", "Job"):
            refs = container(doc)["envFrom"]
            assert {"secretRef": {"name": "rehab-tracker-secrets"}} in refs
            assert container(doc)["resources"]["requests"]  # the scheduler can place it
    config = base[("ConfigMap", "rehab-tracker-config")]["data"]
    assert config["DEBUG"] == "False" and "SECRET_KEY" not in config
    assert int(config["CELERY_VISIBILITY_TIMEOUT"]) > settings.CELERY_TASK_TIME_LIMIT


def test_keda_scales_each_worker_on_its_queue_length(example):
    scaled = {d["spec"]["scaleTargetRef"]["name"]: d for d in example if d["kind"] == "ScaledObject"}
    deployments = {d["metadata"]["name"]: d for d in example if d["kind"] == "Deployment"}
    assert set(scaled) == {name for name in deployments if "worker" in name}
    for name, obj in scaled.items():
        [trigger] = obj["spec"]["triggers"]
        command = container(deployments[name])["command"]
        assert trigger["type"] == "redis" and trigger["metadata"]["listName"] == command[command.index("-Q") + 1]
    assert {d["metadata"]["namespace"] for d in example} == {"rehab-tracker"}
