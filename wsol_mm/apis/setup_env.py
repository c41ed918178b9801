"""Registration of every wsol_mm module and the default scope."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every wsol_mm module that registers (in ``wsol_mm.registry``)
    and make wsol_mm's default scope current. (Configs need not call it:
    the registries import their modules when they first build.)

    Args:
        init_default_scope (bool): Make ``wsol_mm`` the default scope, so that
            registries build from wsol_mm's nodes first. Defaults to True.
    """
    import wsol_mm.datasets  # noqa: F401
    import wsol_mm.engine  # noqa: F401
    import wsol_mm.evaluation  # noqa: F401
    import wsol_mm.models  # noqa: F401
    import wsol_mm.pipelines  # noqa: F401
    import wsol_mm.visualization  # noqa: F401
    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None:
        DefaultScope.get_instance('wsol_mm', scope_name='wsol_mm')
    elif current.scope_name != 'wsol_mm':
        warnings.warn(f'The current default scope "{current.scope_name}" is '
                      'not "wsol_mm"; register_all_modules switches it to '
                      '"wsol_mm".')
        DefaultScope.get_instance(
            f'wsol_mm-{datetime.datetime.now()}', scope_name='wsol_mm')
