"""Hidden files and folders in a rules directory are not read: a Kubernetes ConfigMap mount or an editor's
backup copy never loads a program twice."""

import os

from incentive_api.adapters.rulefiles import read_rule_files
from incentive_api.service.rules import load_compiled as load_ruleset
from support.helpers import RULES


def test_a_configmap_mount_loads_each_file_once(tmp_path):
    version = tmp_path / "..2026_11_30_06_00_00.1"
    version.mkdir()
    names = sorted(p.name for p in RULES.glob("*.yaml"))
    for name in names:
        (version / name).write_text((RULES / name).read_text())
    os.symlink(version.name, tmp_path / "..data")
    for name in names:
        os.symlink(f"..data/{name}", tmp_path / name)
    (tmp_path / ".polb-green-ship.yaml.swp.yaml").write_text("program: [\n")  # an editor's leftover
    assert sorted(n for n, _ in read_rule_files(tmp_path)) == names
    assert load_ruleset(tmp_path).revision == load_ruleset(RULES).revision
