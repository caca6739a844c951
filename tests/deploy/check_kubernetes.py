#!/usr/bin/python3
"""Checks deploy/kubernetes/ offline (docs/DEPLOY.md, "How CI checks these
files"): every file parses as YAML (python3-yaml), and the manifests hold
together the way docs/DEPLOY.md describes. No cluster and no kubectl: the
checks are of structure, not of the API server's full schema.

  check_kubernetes.py SOURCE_DIR

Prints each failure and exits 1 if there is one.
"""

import glob
import os
import re
import sys

import yaml

failures = []


def fail(message):
    failures.append(message)
    print(f"FAIL: {message}", file=sys.stderr)


def get(obj, path, where):
    """obj[path...] or a failure naming `where` and the path."""
    for key in path.split("."):
        if not isinstance(obj, dict) or key not in obj:
            fail(f"{where}: missing {path}")
            return None
        obj = obj[key]
    return obj


def matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_pod(where, pod, claim_templates, secrets, pvcs, needs_probes):
    """The pod template's security, volumes, probes and resources."""
    security = pod.get("securityContext", {})
    if security.get("runAsNonRoot") is not True:
        fail(f"{where}: pod securityContext.runAsNonRoot is not true")
    if not security.get("runAsUser"):
        fail(f"{where}: pod securityContext.runAsUser is not a non-root id")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for name, volume in volumes.items():
        if "secret" in volume and volume["secret"].get("secretName") not in secrets:
            fail(f"{where}: volume {name} uses Secret {volume['secret'].get('secretName')}, "
                 "which secret.yaml does not describe")
        if "secret" in volume:
            keys = secrets.get(volume["secret"].get("secretName"), set())
            for item in volume["secret"].get("items", []):
                if item.get("key") not in keys:
                    fail(f"{where}: volume {name} takes key {item.get('key')}, not in its Secret")
        if "persistentVolumeClaim" in volume and volume["persistentVolumeClaim"].get("claimName") not in pvcs:
            fail(f"{where}: volume {name} uses claim {volume['persistentVolumeClaim'].get('claimName')}, "
                 "which no manifest defines")
    containers = get(pod, "containers", where) or []
    for c in containers:
        cw = f"{where} container {c.get('name')}"
        for field in ("name", "image"):
            get(c, field, cw)
        sc = c.get("securityContext", {})
        if sc.get("readOnlyRootFilesystem") is not True:
            fail(f"{cw}: securityContext.readOnlyRootFilesystem is not true")
        if sc.get("allowPrivilegeEscalation") is not False:
            fail(f"{cw}: securityContext.allowPrivilegeEscalation is not false")
        if "ALL" not in sc.get("capabilities", {}).get("drop", []):
            fail(f"{cw}: capabilities are not all dropped")
        resources = get(c, "resources", cw) or {}
        if not resources.get("requests", {}).get("memory") or not resources.get("limits", {}).get("memory"):
            fail(f"{cw}: resources need a memory request and limit")
        for mount in c.get("volumeMounts", []):
            if mount["name"] not in volumes and mount["name"] not in claim_templates:
                fail(f"{cw}: volumeMount {mount['name']} names no volume or claim template")
        if needs_probes:
            ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                p = c.get(probe)
                if p is None:
                    fail(f"{cw}: no {probe}")
                elif "grpc" in p:
                    if p["grpc"].get("port") not in ports.values():
                        fail(f"{cw}: {probe} grpc.port {p['grpc'].get('port')} is no container port")
                elif "exec" in p:
                    command = p["exec"].get("command", [])
                    if not command or command[0] != "salesctl" or "health" not in command:
                        fail(f"{cw}: {probe} does not run salesctl health")
                else:
                    fail(f"{cw}: {probe} is neither a gRPC probe nor salesctl health")
    return containers, volumes


def main():
    source = os.path.abspath(sys.argv[1])
    directory = os.path.join(source, "deploy/kubernetes")
    docs = []
    for path in sorted(glob.glob(os.path.join(directory, "*.yaml"))):
        name = os.path.basename(path)
        try:
            with open(path, encoding="utf-8") as f:
                for doc in yaml.safe_load_all(f):
                    if doc is not None:
                        docs.append((name, doc))
        except yaml.YAMLError as e:
            fail(f"{name}: not YAML: {e}")
    by_kind = {}
    for name, doc in docs:
        for field in ("apiVersion", "kind"):
            if field not in doc:
                fail(f"{name}: a document without {field}")
        if doc.get("kind") != "Kustomization":
            get(doc, "metadata.name", name)
        by_kind.setdefault(doc.get("kind"), []).append((name, doc))

    # kustomization.yaml lists every manifest but the Secrets' example.
    kustomizations = by_kind.get("Kustomization", [])
    if len(kustomizations) != 1:
        fail("need exactly one kustomization.yaml")
    else:
        listed = set(kustomizations[0][1].get("resources", []))
        for resource in listed:
            if not os.path.isfile(os.path.join(directory, resource)):
                fail(f"kustomization.yaml: resource {resource} does not exist")
        for name in {n for n, d in docs if d.get("kind") not in ("Kustomization", "Secret")}:
            if name not in listed:
                fail(f"kustomization.yaml does not list {name}")
        if "secret.yaml" in listed:
            fail("kustomization.yaml applies secret.yaml: its placeholders would overwrite real keys")

    secrets = {d["metadata"]["name"]: set(d.get("stringData", {})) | set(d.get("data", {}))
               for _, d in by_kind.get("Secret", [])}
    pvcs = {d["metadata"]["name"] for _, d in by_kind.get("PersistentVolumeClaim", [])}

    statefulsets = by_kind.get("StatefulSet", [])
    if len(statefulsets) != 1:
        fail("need exactly one StatefulSet")
        sys.exit(1)
    where, sts = statefulsets[0]
    spec = get(sts, "spec", where) or {}
    if spec.get("replicas") != 1:
        fail(f"{where}: replicas must be 1 (one pod owns the event log)")
    pod_labels = (get(spec, "template.metadata.labels", where) or {})
    if not matches(get(spec, "selector.matchLabels", where), pod_labels):
        fail(f"{where}: spec.selector does not match the pod template's labels")
    claim_templates = {}
    for claim in spec.get("volumeClaimTemplates", []):
        cname = get(claim, "metadata.name", where)
        claim_templates[cname] = claim
        if not get(claim, "spec.accessModes", f"{where} claim {cname}"):
            fail(f"{where}: claim template {cname} has no accessModes")
        get(claim, "spec.resources.requests.storage", f"{where} claim {cname}")
    if not claim_templates:
        fail(f"{where}: no volumeClaimTemplates (the event log needs a PersistentVolumeClaim)")
    pod = get(spec, "template.spec", where) or {}
    if (pod.get("terminationGracePeriodSeconds") or 0) < 90:
        fail(f"{where}: terminationGracePeriodSeconds below 90 (drain and snapshot)")
    containers, volumes = check_pod(where, pod, claim_templates, secrets, pvcs, needs_probes=True)
    server = next((c for c in containers if c.get("name") == "salesopsd"), None)
    if server is None:
        fail(f"{where}: no container salesopsd")
        sys.exit(1)
    args = server.get("args", [])
    flags = dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)
    mounts = {m["mountPath"]: m["name"] for m in server.get("volumeMounts", [])}

    def mounted_by(path):
        best = max((p for p in mounts if path == p or path.startswith(p.rstrip("/") + "/")), key=len, default=None)
        return mounts.get(best)

    if mounted_by(flags.get("data-dir", "")) not in claim_templates:
        fail(f"{where}: --data-dir {flags.get('data-dir')} is not on a claim template's volume")
    for flag in ("tokens-file", "tls-cert", "tls-key"):
        volume = volumes.get(mounted_by(flags.get(flag, "")), {})
        if "secret" not in volume:
            fail(f"{where}: --{flag} {flags.get(flag)} is not in a Secret's volume")
    if flags.get("metrics-listen") != "0.0.0.0:9464":
        fail(f"{where}: salesopsd does not serve metrics on --metrics-listen=0.0.0.0:9464")
    for flag, port_name in (("listen", "grpc"), ("http-listen", "dashboard")):
        port = next((p.get("containerPort") for p in server.get("ports", []) if p.get("name") == port_name), None)
        if flags.get(flag, "").rsplit(":", 1)[-1] != str(port):
            fail(f"{where}: --{flag} {flags.get(flag)} is not the container port {port_name} ({port})")

    # Services: the headless one the StatefulSet names, and a client one;
    # both select the pod and target its named ports.
    services = by_kind.get("Service", [])
    headless = [d for _, d in services if d.get("spec", {}).get("clusterIP") == "None"]
    if spec.get("serviceName") not in {d["metadata"]["name"] for d in headless}:
        fail(f"{where}: serviceName {spec.get('serviceName')} is no headless Service")
    if not [d for _, d in services if d.get("spec", {}).get("clusterIP") != "None"]:
        fail("no client Service (not headless)")
    port_names = {p.get("name") for p in server.get("ports", [])}
    for name, svc in services:
        sw = f"{name} Service {svc['metadata']['name']}"
        if not matches(svc.get("spec", {}).get("selector"), pod_labels):
            fail(f"{sw}: selector does not match the pod")
        for port in svc.get("spec", {}).get("ports", []):
            if port.get("targetPort") not in port_names and port.get("targetPort") not in {
                    p.get("containerPort") for p in server.get("ports", [])}:
                fail(f"{sw}: targetPort {port.get('targetPort')} is no container port")

    pdbs = by_kind.get("PodDisruptionBudget", [])
    if not pdbs:
        fail("no PodDisruptionBudget")
    for name, pdb in pdbs:
        if not matches(pdb.get("spec", {}).get("selector", {}).get("matchLabels"), pod_labels):
            fail(f"{name}: PodDisruptionBudget selector does not match the pod")
        if "minAvailable" not in pdb.get("spec", {}) and "maxUnavailable" not in pdb.get("spec", {}):
            fail(f"{name}: PodDisruptionBudget sets neither minAvailable nor maxUnavailable")

    # The backup CronJob: the script, into the volume the server's pod
    # mounts at the same path, as the server's user.
    cronjobs = by_kind.get("CronJob", [])
    if not cronjobs:
        fail("no backup CronJob")
    for name, cj in cronjobs:
        cw = f"{name} CronJob {cj['metadata']['name']}"
        schedule = get(cj, "spec.schedule", cw) or ""
        if len(schedule.split()) != 5:
            fail(f"{cw}: schedule '{schedule}' is not five cron fields")
        if cj.get("spec", {}).get("concurrencyPolicy") != "Forbid":
            fail(f"{cw}: concurrencyPolicy is not Forbid")
        job_pod = get(cj, "spec.jobTemplate.spec.template.spec", cw) or {}
        job_containers, job_volumes = check_pod(cw, job_pod, {}, secrets, pvcs, needs_probes=False)
        for c in job_containers:
            command = c.get("command", [])
            if not command or command[0] != "salesops-backup.sh":
                fail(f"{cw}: container {c.get('name')} does not run salesops-backup.sh")
                continue
            positional = [a for a in command[1:] if not a.startswith("-")]
            root = positional[0] if positional else ""
            job_mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            claim = job_volumes.get(job_mounts.get(root), {}).get("persistentVolumeClaim", {}).get("claimName")
            if claim is None:
                fail(f"{cw}: the backup root {root} is not a mounted claim")
            elif volumes.get(mounts.get(root), {}).get("persistentVolumeClaim", {}).get("claimName") != claim:
                fail(f"{cw}: the server's pod does not mount claim {claim} at {root}")
            if not any(re.match(r"--token-file=", a) for a in command):
                fail(f"{cw}: no --token-file (the token must not be on the command line)")
        if job_pod.get("securityContext", {}).get("runAsUser") != pod.get("securityContext", {}).get("runAsUser"):
            fail(f"{cw}: runs as another user than salesopsd, so it cannot remove old backups")

    if failures:
        sys.exit(1)
    print(f"kubernetes manifests: {len(docs)} documents check out")


if __name__ == "__main__":
    main()
