"""Model selection among finished runs (e.g. paper 000's learning-rate
sweep: the run with the best val MaxBoxAccV2)."""
import math
from typing import Mapping, Sequence


def best_run(candidates: Sequence[str], metrics: Mapping[str, Mapping],
             key: str) -> str:
    """The candidate whose ``metrics[candidate][key]`` is highest; on a tie
    the first in ``candidates`` order. A candidate without the metric, or
    with NaN, is an error naming it."""
    if not candidates:
        raise ValueError(f'no runs to select from by {key}')
    values = []
    for name in candidates:
        value = metrics.get(name, {}).get(key)
        if not isinstance(value, (int, float)) or math.isnan(value):
            known = ', '.join(sorted(metrics.get(name, {}))) or 'none'
            raise KeyError(f'run "{name}" has no value of {key} to select '
                           f'by (its metrics: {known})')
        values.append(float(value))
    return candidates[values.index(max(values))]
