#!/usr/bin/python3
"""Checks deploy/container/ offline, without a container runtime
(docs/DEPLOY.md, "How CI checks these files").

  check_container.py SOURCE_DIR BINARY...

* compose.yaml parses (python3-yaml) and names what exists: each service's
  build context and container file, the Prometheus configuration it mounts
  (which `promtool check config` accepts and which scrapes
  salesopsd:9464/metrics), salesopsd's --metrics-listen=0.0.0.0:9464.
* Each container file: a Debian 12 base, every COPY source in its build
  context (or an earlier stage), every package it installs known to apt
  (`apt-cache show`), including the build packages of deploy/dev.sh when it
  runs `dev.sh install build`; the final stage runs as a non-root user with a
  HEALTHCHECK.
* The salesops image's runtime packages, with what they depend on, provide
  every shared library the BINARYs load (ldd, then dpkg -S).

Prints each failure and exits 1 if there is one.
"""

import os
import re
import shlex
import subprocess
import sys

import yaml

DEBIAN_12_IMAGES = {"debian:bookworm", "debian:bookworm-slim", "debian:12", "debian:12-slim"}
# Libraries that come with the compiler's sanitizer build (tests only), not
# with the image.
SANITIZER_LIBRARIES = re.compile(r"lib(asan|ubsan|lsan|tsan)\.so")

failures = []


def fail(message):
    failures.append(message)
    print(f"FAIL: {message}", file=sys.stderr)


def instructions(path):
    """(KEYWORD, ARGUMENTS) of a container file, continuation lines joined."""
    out, pending = [], ""
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if pending and line.lstrip().startswith("#"):
                continue
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            whole = (pending + line).strip()
            pending = ""
            keyword, _, rest = whole.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def bash_array(path, name):
    """The words of a bash array NAME=( ... ) in PATH."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    match = re.search(rf"^{name}=\((.*?)\)", text, re.S | re.M)
    if not match:
        fail(f"{path}: no array {name}")
        return []
    words = []
    for line in match.group(1).splitlines():
        words += shlex.split(line.split("#", 1)[0])
    return words


def apt_installs(run):
    """Package names after `apt-get install` in a RUN command."""
    packages = []
    for command in re.split(r"&&|;|\|\|", run):
        words = shlex.split(command)
        if "apt-get" not in words or "install" not in words:
            continue
        for word in words[words.index("install") + 1:]:
            if not word.startswith("-"):
                packages.append(word)
    return packages


def check_container_file(source, path, context, needs_healthcheck):
    """Checks one container file; returns every package it installs and its
    final stage (user, healthcheck, volumes, packages)."""
    rel = os.path.relpath(path, source)
    stages, stage_packages, final = [], [], None
    for keyword, args in instructions(path):
        if keyword == "FROM":
            words = args.split()
            image = words[0]
            if image not in DEBIAN_12_IMAGES and image not in stages:
                fail(f"{rel}: FROM {image} is not a Debian 12 image")
            if len(words) >= 3 and words[1].upper() == "AS":
                stages.append(words[2])
            stage_packages = []
            final = {"user": None, "healthcheck": None, "volumes": [], "packages": stage_packages}
        elif keyword == "COPY":
            words = shlex.split(args)
            from_stage = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), None)
            sources = [w for w in words if not w.startswith("--")][:-1]
            if from_stage is not None:
                if from_stage not in stages:
                    fail(f"{rel}: COPY --from={from_stage}: no such earlier stage")
                continue
            for s in sources:
                if not os.path.exists(os.path.join(context, s)):
                    fail(f"{rel}: COPY {s}: not in the build context {os.path.relpath(context, source) or '.'}")
        elif keyword == "RUN":
            packages = apt_installs(args)
            if re.search(r"deploy/dev\.sh install build", args):
                packages += bash_array(os.path.join(source, "deploy/dev.sh"), "build_packages")
            stage_packages += packages
        elif keyword == "USER":
            final["user"] = args.split(":")[0]
        elif keyword == "HEALTHCHECK":
            final["healthcheck"] = args
        elif keyword == "VOLUME":
            final["volumes"] += args.split()
    if final is None:
        fail(f"{rel}: no FROM")
        return [], None
    if final["user"] in (None, "0", "root"):
        fail(f"{rel}: the final stage runs as root (no USER, or USER {final['user']})")
    if needs_healthcheck and not final["healthcheck"]:
        fail(f"{rel}: the final stage has no HEALTHCHECK")
    return all_stage_packages(path), final


def all_stage_packages(path):
    packages = []
    for keyword, args in instructions(path):
        if keyword == "RUN":
            packages += apt_installs(args)
    return packages


def check_packages_exist(rel, packages):
    """Every package known to apt (one apt-cache call: each builds its cache
    anew, about a second)."""
    wanted = sorted(set(packages))
    result = subprocess.run(["apt-cache", "show", "--no-all-versions"] + wanted,
                            capture_output=True, text=True)
    known = set(re.findall(r"^Package: (\S+)$", result.stdout, re.M))
    for package in wanted:
        if package not in known:
            fail(f"{rel}: package {package} is unknown to apt-cache (not in Debian 12?)")


def dependency_closure(packages):
    """The packages, with everything they depend on (Depends, Pre-Depends)."""
    result = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
         "--no-breaks", "--no-replaces", "--no-enhances"] + packages,
        capture_output=True, text=True)
    closure = set(packages)
    for line in result.stdout.splitlines():
        if not line.startswith(" ") and not line.startswith("<"):
            closure.add(line.strip().split(":")[0])
    return closure


def owners(paths):
    """Path -> the package that owns it, for those dpkg knows (one dpkg -S:
    it reads every package's file list, a second or so per call)."""
    result = subprocess.run(["dpkg", "-S"] + sorted(set(paths)), capture_output=True, text=True)
    owned = {}
    for line in result.stdout.splitlines():
        package, _, path = line.partition(": ")
        owned[path.strip()] = package.split(",")[0].split(":")[0].strip()
    return owned


def check_runtime_libraries(rel, binaries, packages):
    closure = dependency_closure(packages)
    loads = []  # (binary, soname, path)
    for binary in binaries:
        result = subprocess.run(["ldd", binary], capture_output=True, text=True)
        if result.returncode != 0:
            fail(f"ldd {binary}: {result.stderr.strip()}")
            continue
        for line in result.stdout.splitlines():
            match = re.match(r"\s*(\S+) => (\S+)", line)
            if match and not SANITIZER_LIBRARIES.search(match.group(1)):
                loads.append((os.path.basename(binary), match.group(1), match.group(2)))

    # Debian 12 merges /lib into /usr/lib: dpkg may know a library by either.
    def spellings(path):
        real = os.path.realpath(path)
        out = []
        for p in (path, real):
            out += [p, p[4:] if p.startswith("/usr/") else "/usr" + p]
        return out

    owned = owners([s for _, _, path in loads for s in spellings(path)])
    for binary, soname, path in loads:
        owner = next((owned[s] for s in spellings(path) if s in owned), None)
        if owner is None:
            fail(f"{binary} loads {path}, which no Debian package owns")
        elif owner not in closure:
            fail(f"{rel}: {binary} loads {soname} from package {owner}, which the runtime stage does not install")


def main():
    source, binaries = os.path.abspath(sys.argv[1]), sys.argv[2:]
    container_dir = os.path.join(source, "deploy/container")
    compose_path = os.path.join(container_dir, "compose.yaml")
    with open(compose_path, encoding="utf-8") as f:
        compose = yaml.safe_load(f)
    services = compose.get("services", {})
    for name in ("salesopsd", "prometheus"):
        if name not in services:
            fail(f"compose.yaml: no service {name}")
    checked = {}
    for name, service in services.items():
        build = service.get("build")
        if not build:
            fail(f"compose.yaml: service {name} has no build (its image comes from this repository)")
            continue
        context = os.path.normpath(os.path.join(container_dir, build.get("context", ".")))
        path = os.path.normpath(os.path.join(context, build.get("dockerfile", "Containerfile")))
        if not os.path.isfile(path):
            fail(f"compose.yaml: service {name}: no container file {path}")
            continue
        for volume in service.get("volumes", []):
            host = volume.split(":")[0]
            if host.startswith(".") and not host.startswith("./config") and not os.path.exists(
                    os.path.join(container_dir, host)):
                fail(f"compose.yaml: service {name} mounts {host}, which does not exist")
        checked[name] = (path, context, service)

    if "salesopsd" in checked:
        path, context, service = checked["salesopsd"]
        rel = os.path.relpath(path, source)
        packages, final = check_container_file(source, path, context, needs_healthcheck=True)
        check_packages_exist(rel, packages + bash_array(os.path.join(source, "deploy/dev.sh"), "build_packages"))
        if final:
            if "/var/lib/salesops" not in final["volumes"]:
                fail(f"{rel}: no VOLUME /var/lib/salesops")
            if "salesctl" not in (final["healthcheck"] or "") or "health" not in (final["healthcheck"] or ""):
                fail(f"{rel}: the HEALTHCHECK does not run salesctl health")
            check_runtime_libraries(rel, binaries, final["packages"])
        if "--metrics-listen=0.0.0.0:9464" not in service.get("command", []):
            fail("compose.yaml: salesopsd does not serve metrics on --metrics-listen=0.0.0.0:9464")
        http = [a.split("=", 1)[1] for a in service.get("command", []) if a.startswith("--http-listen=")]
        if not http:
            fail("compose.yaml: salesopsd serves no dashboard (--http-listen)")
        elif not any(p.endswith(":" + http[0].rsplit(":", 1)[-1]) for p in service.get("ports", [])):
            fail(f"compose.yaml: the dashboard's port (--http-listen={http[0]}) is not published")
    if "prometheus" in checked:
        path, context, service = checked["prometheus"]
        rel = os.path.relpath(path, source)
        # Debian's Prometheus image has nothing to probe itself with (no curl,
        # and promtool 2.42 has no "check healthy").
        packages, _ = check_container_file(source, path, context, needs_healthcheck=False)
        check_packages_exist(rel, packages)
        config = next((v.split(":")[0] for v in service.get("volumes", []) if "prometheus.yml" in v), None)
        if config is None:
            fail("compose.yaml: prometheus mounts no prometheus.yml")
        else:
            config = os.path.join(container_dir, config)
            result = subprocess.run(["promtool", "check", "config", config], capture_output=True, text=True)
            if result.returncode != 0:
                fail(f"promtool check config {config}: {result.stdout}{result.stderr}")
            with open(config, encoding="utf-8") as f:
                scrape = yaml.safe_load(f).get("scrape_configs", [])
            targets = [t for job in scrape if job.get("metrics_path", "/metrics") == "/metrics"
                       for sc in job.get("static_configs", []) for t in sc.get("targets", [])]
            if "salesopsd:9464" not in targets:
                fail(f"{config}: no job scrapes salesopsd:9464/metrics")

    check_cluster_compose(source, container_dir)

    if failures:
        sys.exit(1)
    print(f"container files: {len(checked)} images, compose.yaml and prometheus.yml check out; "
          "compose-cluster.yaml checks out")


def flag(command, name):
    """The value of --NAME=VALUE in a command list, or None."""
    values = [a.split("=", 1)[1] for a in command if a.startswith(f"--{name}=")]
    return values[0] if values else None


def check_cluster_compose(source, container_dir):
    """compose-cluster.yaml: PostgreSQL from a Debian 12 container file of
    this directory, with a health check and an entry point that parses, and
    at least three salesopsd nodes on it: the same --log, each its own
    --node-id, an --advertise-address naming its service and listening
    port, its own data volume, started once PostgreSQL is healthy."""
    rel = "deploy/container/compose-cluster.yaml"
    with open(os.path.join(container_dir, "compose-cluster.yaml"), encoding="utf-8") as f:
        compose = yaml.safe_load(f)
    services = compose.get("services", {})
    postgres = services.get("postgres")
    if postgres is None:
        fail(f"{rel}: no service postgres")
    else:
        build = postgres.get("build", {})
        context = os.path.normpath(os.path.join(container_dir, build.get("context", ".")))
        path = os.path.normpath(os.path.join(context, build.get("dockerfile", "Containerfile")))
        if not os.path.isfile(path):
            fail(f"{rel}: service postgres: no container file {path}")
        else:
            packages, final = check_container_file(source, path, context, needs_healthcheck=True)
            check_packages_exist(os.path.relpath(path, source), packages)
            if "postgresql-15" not in packages:
                fail(f"{os.path.relpath(path, source)}: does not install postgresql-15")
            for keyword, args in instructions(path):
                if keyword == "COPY" and args.split()[0].endswith(".sh"):
                    script = os.path.join(context, args.split()[0])
                    result = subprocess.run(["sh", "-n", script], capture_output=True, text=True)
                    if result.returncode != 0:
                        fail(f"sh -n {script}: {result.stderr.strip()}")
    nodes = {name: s for name, s in services.items() if name != "postgres"}
    if len(nodes) < 3:
        fail(f"{rel}: {len(nodes)} salesopsd nodes, not three")
    logs, ids, volumes = set(), set(), set()
    for name, node in nodes.items():
        command = node.get("command", [])
        if not node.get("build"):
            fail(f"{rel}: service {name} has no build (its image comes from this repository)")
        logs.add(flag(command, "log"))
        node_id = flag(command, "node-id")
        if node_id is None or node_id in ids:
            fail(f"{rel}: service {name}: --node-id missing or used twice ({node_id})")
        ids.add(node_id)
        listen = flag(command, "listen") or ""
        if flag(command, "advertise-address") != f"{name}:{listen.rsplit(':', 1)[-1]}":
            fail(f"{rel}: service {name}: --advertise-address is not {name}:<its --listen port>")
        data = [v.split(":")[0] for v in node.get("volumes", []) if v.endswith(":/var/lib/salesops")]
        if len(data) != 1 or data[0] in volumes:
            fail(f"{rel}: service {name}: not one data volume of its own at /var/lib/salesops")
        volumes.update(data)
        depends = node.get("depends_on", {})
        if not isinstance(depends, dict) or depends.get("postgres", {}).get("condition") != "service_healthy":
            fail(f"{rel}: service {name} does not wait for PostgreSQL to be healthy")
    if len(logs) != 1 or None in logs:
        fail(f"{rel}: the nodes do not share one --log: {sorted(str(l) for l in logs)}")


if __name__ == "__main__":
    main()
