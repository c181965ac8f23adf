"""mmbrain's registry nodes, one child of each of MMEngine's root registries.

Configs of any OpenMMLab library reach them as ``type='mmbrain.Name'`` once
``custom_imports=dict(imports=['mmbrain'])`` has imported the package (or
lazily: a scoped lookup imports ``mmbrain.registry``, and each node imports its
``locations`` on first use). Inside mmbrain's own configs
(``default_scope='mmbrain'``) plain names work, falling back to MMEngine's.
"""
from mmengine import registry as mmengine_registry
from mmengine.registry import Registry


def _child(root: Registry, location: str) -> Registry:
    """A node under ``root`` whose modules live in ``mmbrain.<location>``."""
    return Registry(
        root.name,
        parent=root,
        scope='mmbrain',
        locations=[f'mmbrain.{location}'])


# engine: runners, loops, hooks, optimisation
RUNNERS = _child(mmengine_registry.RUNNERS, 'engine')
RUNNER_CONSTRUCTORS = _child(mmengine_registry.RUNNER_CONSTRUCTORS, 'engine')
STRATEGIES = _child(mmengine_registry.STRATEGIES, 'engine')
LOOPS = _child(mmengine_registry.LOOPS, 'engine')
HOOKS = _child(mmengine_registry.HOOKS, 'engine')
LOG_PROCESSORS = _child(mmengine_registry.LOG_PROCESSORS, 'engine')
OPTIMIZERS = _child(mmengine_registry.OPTIMIZERS, 'engine')
OPTIM_WRAPPERS = _child(mmengine_registry.OPTIM_WRAPPERS, 'engine')
OPTIM_WRAPPER_CONSTRUCTORS = _child(
    mmengine_registry.OPTIM_WRAPPER_CONSTRUCTORS, 'engine')
PARAM_SCHEDULERS = _child(mmengine_registry.PARAM_SCHEDULERS, 'engine')
VISUALIZERS = _child(mmengine_registry.VISUALIZERS, 'engine')
VISBACKENDS = _child(mmengine_registry.VISBACKENDS, 'engine')

# data
DATASETS = _child(mmengine_registry.DATASETS, 'datasets')
DATA_SAMPLERS = _child(mmengine_registry.DATA_SAMPLERS, 'datasets')
TRANSFORMS = _child(mmengine_registry.TRANSFORMS, 'datasets')
FUNCTIONS = _child(mmengine_registry.FUNCTIONS, 'datasets')  # collate_fn

# models: backbones, brain encoders, pretrainers, losses, heads
MODELS = _child(mmengine_registry.MODELS, 'models')
MODEL_WRAPPERS = _child(mmengine_registry.MODEL_WRAPPERS, 'models')
WEIGHT_INITIALIZERS = _child(mmengine_registry.WEIGHT_INITIALIZERS, 'models')
TASK_UTILS = _child(mmengine_registry.TASK_UTILS, 'models')

# evaluation
METRICS = _child(mmengine_registry.METRICS, 'evaluation')
EVALUATOR = _child(mmengine_registry.EVALUATOR, 'evaluation')
