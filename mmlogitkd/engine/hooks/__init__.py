from .safe_checkpoint_hook import NonFiniteWeightsError, SafeCheckpointHook
from .teacher_eval_hook import TeacherEvalHook

__all__ = ['SafeCheckpointHook', 'NonFiniteWeightsError', 'TeacherEvalHook']
