"""Static checks of what no test run here can execute: Docker files, CI, manifests."""

import ast
import re
from pathlib import Path

import yaml
from marketplace_sim import SIMULATORS

ROOT = Path(__file__).resolve().parents[2]
ADDONS = sorted(p.parent.name for p in (ROOT / "addons").glob("*/__manifest__.py"))


def manifest(addon):
    return ast.literal_eval((ROOT / "addons" / addon / "__manifest__.py").read_text())


def test_compose_uses_official_images_and_installs_every_addon():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    odoo = services["odoo"]
    dockerfile = (ROOT / odoo["build"]["context"] / odoo["build"]["dockerfile"]).read_text()
    assert re.search(r"^FROM odoo:19\b", dockerfile, re.M)
    assert "odoo-addon-queue-job" in dockerfile
    assert "./addons:/mnt/extra-addons:ro" in odoo["volumes"]
    assert odoo["environment"]["HOST"] == "db"
    installed = re.search(r"-i (\S+)", odoo["command"]).group(1).split(",")
    assert set(ADDONS) | {"queue_job"} == set(installed)
    for copied in re.findall(r"^COPY (\S+)", dockerfile, re.M):
        assert (ROOT / copied).exists(), copied


def test_odoo_conf_runs_the_job_runner():
    conf = (ROOT / "docker" / "odoo.conf").read_text()
    assert re.search(r"^server_wide_modules = .*queue_job", conf, re.M)
    assert "[queue_job]" in conf
    for addon in (a for a in ADDONS if a != "marketplace_base"):
        code = addon.removeprefix("marketplace_")
        assert f"root.marketplace.{code}:" in conf


def test_ci_runs_the_readme_command():
    readme = (ROOT / "README.md").read_text()
    command = re.search(r"## Run all the tests.*?```sh\n(.+?)\n```", readme, re.S).group(1).strip()
    ci = (ROOT / ".ci" / "run").read_text()
    assert f"exec {command}" in ci


def test_manifests_follow_oca_conventions():
    for addon in ADDONS:
        values = manifest(addon)
        assert re.fullmatch(r"19\.0\.\d+\.\d+\.\d+", values["version"]), addon
        assert values["license"] in ("AGPL-3", "LGPL-3"), addon
        for key in ("author", "website", "development_status", "maintainers", "summary"):
            assert values.get(key), (addon, key)
        for data in values.get("data", []):
            assert (ROOT / "addons" / addon / data).exists(), (addon, data)
        assert (ROOT / "addons" / addon / "README.rst").exists(), addon
        assert (ROOT / "addons" / addon / "i18n" / f"{addon}.pot").exists(), addon
        assert (ROOT / "addons" / addon / "i18n" / "fr.po").exists(), addon


def test_sandbox_simulators_are_registered():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    sims = {name: s for name, s in compose["services"].items() if name.endswith("-sim")}
    assert {name.removesuffix("-sim") for name in sims} == set(SIMULATORS)
    for name, service in sims.items():
        assert service["profiles"] == ["sandbox"]
        assert f"serve {name.removesuffix('-sim')} --host 0.0.0.0" in service["command"]
        dockerfile = (ROOT / service["build"]["dockerfile"]).read_text()
        for copied in re.findall(r"^COPY (\S+)", dockerfile, re.M):
            assert (ROOT / copied).exists(), copied
