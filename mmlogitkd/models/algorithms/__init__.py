from .logit_distiller import LogitDistiller, NonFiniteLossError, build_classifier
from .teacher_checkpoint import (TeacherCheckpointError, extract_state_dict,
                                 load_teacher_checkpoint)

__all__ = [
    'LogitDistiller', 'NonFiniteLossError', 'build_classifier',
    'TeacherCheckpointError', 'extract_state_dict', 'load_teacher_checkpoint'
]
