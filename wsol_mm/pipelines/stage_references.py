"""``'stage:<name>'`` strings: where one stage's config uses another's output.
"""
from typing import Callable, Set

PREFIX = 'stage:'


def find_references(value) -> Set[str]:
    """Names of the stages referenced anywhere in a (nested) config value."""
    if isinstance(value, str):
        return {value[len(PREFIX):]} if value.startswith(PREFIX) else set()
    if isinstance(value, dict):
        value = list(value.values())
    found = set()
    if isinstance(value, (list, tuple)):
        for item in value:
            found |= find_references(item)
    return found


def resolve_references(value, artifact_of: Callable[[str], str]):
    """A copy of ``value`` where every ``'stage:<name>'`` string is replaced
    by ``artifact_of(name)``."""
    if isinstance(value, str):
        return artifact_of(value[len(PREFIX):]) if value.startswith(
            PREFIX) else value
    if isinstance(value, dict):
        return type(value)(
            {k: resolve_references(v, artifact_of) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return type(value)(resolve_references(v, artifact_of) for v in value)
    return value
