from .atomic_files import ResultWriteError, atomic_file, save_checkpoint
from .checkpoint import last_checkpoint
from .config_utils import add_tensorboard, load_tool_config
from .dist_utils import setup_cpu_distributed
from .json_io import JSONFileError, read_json, write_json
from .packaged_configs import packaged_config
from .setup_env import register_all_modules
from .train_checks import check_train_batches
from .user_errors import ConfigError, UserError, report_user_errors

__all__ = [
    'ConfigError', 'JSONFileError', 'ResultWriteError', 'UserError',
    'add_tensorboard', 'atomic_file', 'check_train_batches',
    'last_checkpoint', 'load_tool_config', 'packaged_config', 'read_json',
    'register_all_modules', 'report_user_errors', 'save_checkpoint',
    'setup_cpu_distributed', 'write_json'
]
