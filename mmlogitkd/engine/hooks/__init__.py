from .distill_diagnostics_hook import DistillDiagnosticsHook
from .epoch_seed_hook import EpochSeedHook, epoch_seed
from .iteration_profile_hook import IterationProfileHook
from .safe_checkpoint_hook import NonFiniteWeightsError, SafeCheckpointHook
from .teacher_cache_hook import TeacherCacheHook
from .teacher_eval_hook import TeacherEvalHook

__all__ = [
    'DistillDiagnosticsHook', 'EpochSeedHook', 'epoch_seed',
    'IterationProfileHook',
    'SafeCheckpointHook', 'NonFiniteWeightsError', 'TeacherCacheHook',
    'TeacherEvalHook'
]
