from .channels_last_hook import ChannelsLastHook
from .distill_diagnostics_hook import DistillDiagnosticsHook
from .epoch_seed_hook import EpochSeedHook, epoch_seed
from .input_check_hook import InputCheckError, InputCheckHook
from .iteration_profile_hook import IterationProfileHook
from .loss_guard_hook import LossExplosionError, LossGuardHook
from .resume_check_hook import ResumeCheckHook
from .safe_checkpoint_hook import NonFiniteWeightsError, SafeCheckpointHook
from .teacher_cache_hook import TeacherCacheHook
from .teacher_eval_hook import TeacherEvalHook

__all__ = [
    'ChannelsLastHook', 'DistillDiagnosticsHook', 'EpochSeedHook',
    'epoch_seed',
    'InputCheckError', 'InputCheckHook', 'IterationProfileHook',
    'LossExplosionError', 'LossGuardHook', 'ResumeCheckHook',
    'SafeCheckpointHook', 'NonFiniteWeightsError', 'TeacherCacheHook',
    'TeacherEvalHook'
]
