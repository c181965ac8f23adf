from .config_utils import load_tool_config
from .dist_utils import setup_cpu_distributed
from .setup_env import register_all_modules

__all__ = ['load_tool_config', 'register_all_modules', 'setup_cpu_distributed']
