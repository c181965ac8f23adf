from .config_utils import add_tensorboard, derive_num_rois, load_tool_config
from .dist_utils import setup_cpu_distributed
from .setup_env import register_all_modules
from .slurm import SlurmStages
from .stages import (StageProgress, last_checkpoint, read_json, run_stage,
                     write_json)
from .train_checks import check_train_batches

__all__ = [
    'SlurmStages', 'StageProgress', 'add_tensorboard', 'check_train_batches',
    'derive_num_rois',
    'last_checkpoint', 'load_tool_config',
    'read_json', 'register_all_modules', 'run_stage', 'setup_cpu_distributed',
    'write_json'
]
