from .hooks import *  # noqa: F401,F403
from .runner_builder import build_runner, init_distributed, run_runner
