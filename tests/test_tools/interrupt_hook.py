"""A hook that kills training right after the first checkpoint is written,
as a crash or a pre-empted job would (imported by the resume test config)."""
import os

from mmengine.hooks import Hook

from wsol_mm.registry import HOOKS


@HOOKS.register_module()
class KillAfterEpochHook(Hook):
    priority = 'LOWEST'  # after CheckpointHook has saved the epoch

    def __init__(self, epoch: int = 1):
        self.epoch = epoch

    def after_train_epoch(self, runner) -> None:
        # runner.epoch counts finished epochs only after this call.
        if runner.epoch + 1 >= self.epoch:
            os._exit(3)
