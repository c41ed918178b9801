"""Multi-stage methods (SPOL, ISIC, SLT-Net) and studies: stages registered in ``STAGES`` and the
pipeline that runs them."""
from .base_stage import BaseStage, PipelineContext, StageResult
from .cam_agg_stage import CAMAggStage
from .cam_pseudo_mask_stage import CAMPseudoMaskStage
from .evaluate_stage import EvaluateStage
from .multi_stage_pipeline import MultiStagePipeline
from .nmf_pseudo_mask_stage import NMFPseudoMaskStage
from .pseudo_box_stage import PseudoBoxStage
from .pseudo_mask_stage import PseudoLabelStage, PseudoMaskStage
from .run_selection import best_run
from .split_pipeline import SplitPipeline
from .stage_manifest import StageManifest
from .stage_references import find_references, resolve_references
from .study_run_stage import StudyRunStage
from .train_stage import TrainStage

__all__ = [
    'BaseStage', 'PipelineContext', 'StageResult', 'StageManifest',
    'MultiStagePipeline', 'TrainStage', 'PseudoMaskStage',
    'CAMPseudoMaskStage', 'NMFPseudoMaskStage', 'EvaluateStage',
    'PseudoLabelStage', 'PseudoBoxStage', 'SplitPipeline', 'StudyRunStage',
    'CAMAggStage', 'best_run',
    'find_references', 'resolve_references'
]
