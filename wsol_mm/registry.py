"""Registries of wsol_mm: children of MMEngine's root registries.

Every registry uses the scope ``wsol_mm``; modules of MMPretrain and MMDetection
stay reachable through their scope prefix (``mmpretrain.ResNet``) or a
``_scope_='mmdet'`` key in a config.
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import \
    WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

__all__ = [
    'RUNNERS', 'LOOPS', 'HOOKS', 'LOG_PROCESSORS', 'OPTIMIZERS',
    'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS',
    'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS', 'MODEL_WRAPPERS',
    'WEIGHT_INITIALIZERS', 'TASK_UTILS', 'METRICS', 'EVALUATORS',
    'VISUALIZERS', 'VISBACKENDS', 'STAGES'
]

_ENGINE = ['wsol_mm.engine']
_DATA = ['wsol_mm.datasets']
_MODELS = ['wsol_mm.models']
_EVALUATION = ['wsol_mm.evaluation']
_VISUALIZATION = ['wsol_mm.visualization']

RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS, locations=_ENGINE)
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=_ENGINE)
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, locations=_ENGINE)
LOG_PROCESSORS = Registry(
    'log processor', parent=MMENGINE_LOG_PROCESSORS, locations=_ENGINE)
OPTIMIZERS = Registry(
    'optimizer', parent=MMENGINE_OPTIMIZERS, locations=_ENGINE)
OPTIM_WRAPPERS = Registry(
    'optim wrapper', parent=MMENGINE_OPTIM_WRAPPERS, locations=_ENGINE)
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=_ENGINE)
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMENGINE_PARAM_SCHEDULERS,
    locations=_ENGINE)

DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, locations=_DATA)
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMENGINE_DATA_SAMPLERS, locations=_DATA)
TRANSFORMS = Registry(
    'transform', parent=MMENGINE_TRANSFORMS, locations=_DATA)

MODELS = Registry('model', parent=MMENGINE_MODELS, locations=_MODELS)
MODEL_WRAPPERS = Registry(
    'model wrapper', parent=MMENGINE_MODEL_WRAPPERS, locations=_MODELS)
WEIGHT_INITIALIZERS = Registry(
    'weight initializer', parent=MMENGINE_WEIGHT_INITIALIZERS,
    locations=_MODELS)
TASK_UTILS = Registry(
    'task util', parent=MMENGINE_TASK_UTILS, locations=_MODELS)

METRICS = Registry('metric', parent=MMENGINE_METRICS, locations=_EVALUATION)
EVALUATORS = Registry(
    'evaluator', parent=MMENGINE_EVALUATOR, locations=_EVALUATION)

VISUALIZERS = Registry(
    'visualizer', parent=MMENGINE_VISUALIZERS, locations=_VISUALIZATION)
VISBACKENDS = Registry(
    'vis backend', parent=MMENGINE_VISBACKENDS, locations=_VISUALIZATION)

# The stages of multi-stage methods (SPOL, ISIC): a concept of wsol_mm with no
# MMEngine counterpart, hence a root registry.
STAGES = Registry('pipeline stage', scope='wsol_mm',
                  locations=['wsol_mm.pipelines'])
