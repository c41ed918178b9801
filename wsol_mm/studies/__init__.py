"""Studies built from several trainings (reports and figures)."""
from .granularity_report import write_granularity_report
from .granularity_study import (GranularityStudy, process_share, run_name,
                                run_study)

__all__ = [
    'write_granularity_report', 'GranularityStudy', 'process_share',
    'run_name', 'run_study'
]
