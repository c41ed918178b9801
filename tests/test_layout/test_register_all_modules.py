"""``wsol_mm.apis.register_all_modules`` in a fresh interpreter: every
registry holds wsol_mm's modules and the default scope is ``wsol_mm``."""
import json
import subprocess
import sys

from .test_import_layout import REPO_ROOT

# A module each registry that wsol_mm fills must hold afterwards.
EXPECTED = {
    'DATASETS': 'CUB', 'TRANSFORMS': 'LoadWSOLImageFromFile',
    'MODELS': 'CAM', 'METRICS': 'WSOLMetric', 'HOOKS': 'WSOLVisualizationHook',
    'STAGES': 'TrainStage', 'VISUALIZERS': 'WSOLVisualizer'
}
CHECK = """
import json, sys
import wsol_mm.registry as registry
from mmengine import DefaultScope
expected = json.loads(sys.argv[1])
before = {name: module in getattr(registry, name).module_dict
          for name, module in expected.items()}
from wsol_mm.apis import register_all_modules
register_all_modules()
after = {name: module in getattr(registry, name).module_dict
         for name, module in expected.items()}
print(json.dumps([before, after,
                  DefaultScope.get_current_instance().scope_name]))
"""


def test_register_all_modules_fills_every_registry_and_sets_the_scope():
    result = subprocess.run(
        [sys.executable, '-c', CHECK, json.dumps(EXPECTED)], cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    before, after, scope = json.loads(result.stdout.splitlines()[-1])
    assert not any(before.values()), before
    assert all(after.values()), after
    assert scope == 'wsol_mm'
