"""Turn a distillation run's checkpoint into a plain student checkpoint."""
from collections import OrderedDict
from typing import Dict, Tuple

STUDENT_PREFIX = 'student.'


def student_state_dict(state_dict: Dict) -> Tuple[OrderedDict, list]:
    """Keep the student's weights with the ``student.`` prefix removed.

    The teacher, the distillation losses and distillation-only modules such
    as AEKT's task-serialization layer (``distill_head.``) are dropped: the
    result loads strictly into the student's own MMPretrain config.

    Returns:
        tuple: the student state dict and the sorted list of dropped
        top-level module names (for the report).
    """
    student = OrderedDict()
    dropped = set()
    for key, value in state_dict.items():
        if key.startswith(STUDENT_PREFIX):
            student[key[len(STUDENT_PREFIX):]] = value
        else:
            dropped.add(key.split('.', 1)[0])
    if not student:
        raise KeyError('the checkpoint has no "student." weights: is it a '
                       'checkpoint of a LogitDistiller run?')
    return student, sorted(dropped)
