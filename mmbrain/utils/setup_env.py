import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every mmbrain module so that its registries are filled.

    Args:
        init_default_scope (bool): Also make ``mmbrain`` the default scope, so
            that plain names (``type='Name'``) resolve in mmbrain's registries
            first. Defaults to True.
    """
    import mmbrain.datasets  # noqa: F401
    import mmbrain.engine  # noqa: F401
    import mmbrain.evaluation  # noqa: F401
    import mmbrain.models  # noqa: F401

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None:
        DefaultScope.get_instance('mmbrain', scope_name='mmbrain')
    elif current.scope_name != 'mmbrain':
        warnings.warn(f'The current default scope "{current.scope_name}" is '
                      'not "mmbrain"; register_all_modules switches it to '
                      '"mmbrain". Pass init_default_scope=False to keep it.')
        DefaultScope.get_instance(
            f'mmbrain-{datetime.datetime.now()}', scope_name='mmbrain')
