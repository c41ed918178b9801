"""Multi-stage methods (SPOL, ISIC): stages registered in ``STAGES`` and the
pipeline that runs them."""
from .base_stage import BaseStage, PipelineContext, StageResult
from .cam_pseudo_mask_stage import CAMPseudoMaskStage
from .evaluate_stage import EvaluateStage
from .multi_stage_pipeline import MultiStagePipeline
from .nmf_pseudo_mask_stage import NMFPseudoMaskStage
from .pseudo_box_stage import PseudoBoxStage
from .pseudo_mask_stage import PseudoLabelStage, PseudoMaskStage
from .stage_manifest import StageManifest
from .stage_references import find_references, resolve_references
from .train_stage import TrainStage

__all__ = [
    'BaseStage', 'PipelineContext', 'StageResult', 'StageManifest',
    'MultiStagePipeline', 'TrainStage', 'PseudoMaskStage',
    'CAMPseudoMaskStage', 'NMFPseudoMaskStage', 'EvaluateStage',
    'PseudoLabelStage', 'PseudoBoxStage',
    'find_references', 'resolve_references'
]
