"""Everything about checkpoint files, in one package.

* :mod:`.loading` — reading a file: weights-only first, the trust rules for
  full unpickling, "not a checkpoint" errors, SHA-256.
* :mod:`.state_dict` — finding the weights in a loaded file, selecting and
  stripping prefixes, comparing with a model (one mismatch report), the
  student of a distillation checkpoint.
* :mod:`.saving` — tensors-only content, atomic writes with umask
  permissions, the one writer of converted/exported files.
* :mod:`.download` — checkpoints given by URL, downloaded once into
  MMEngine's checkpoint cache.
* :mod:`.teacher` — strict, hash-pinned teacher (and ``pretrained``)
  loading.
* :mod:`.runs` — checkpoints of runs: what a file is, strict loading for
  evaluation and resume with advice, the run fingerprint.
* :mod:`.convert` — converting checkpoints of the original code bases.
"""
from .download import (CheckpointDownloadError, checkpoint_cache_dir,
                       download_checkpoint, is_url)
from .loading import (TRUST_ENV, CheckpointError, NotACheckpointError,
                      UntrustedCheckpointError, file_sha256, is_trusted,
                      load_checkpoint_file, trust_checkpoint_path,
                      trusted_paths)
from .saving import (AtomicLocalBackend, atomic_write_bytes,
                     from_weights_only, non_finite_tensors,
                     remove_orphan_tmp_files, save_checkpoint,
                     to_weights_only)
from .state_dict import (STUDENT_PREFIX, TEACHER_PREFIX,
                         CheckpointMismatchError, KeyDiff, check_state_dict,
                         compare_state_dicts, find_state_dict,
                         is_distillation_state_dict, mismatch_message,
                         select_prefix, strip_wrapper_prefixes,
                         student_state_dict)
from .runs import (FINGERPRINT_KEY, ResumeMismatchError,
                   check_resume_checkpoint, checkpoint_kind,
                   describe_checkpoint, fingerprint_differences,
                   load_weights_strictly, run_fingerprint)
from .teacher import TeacherCheckpointError, load_teacher_checkpoint

__all__ = [
    'CheckpointDownloadError', 'checkpoint_cache_dir', 'download_checkpoint',
    'is_url',
    'TRUST_ENV', 'CheckpointError', 'NotACheckpointError',
    'UntrustedCheckpointError', 'file_sha256', 'is_trusted',
    'load_checkpoint_file', 'trust_checkpoint_path', 'trusted_paths',
    'AtomicLocalBackend', 'atomic_write_bytes', 'from_weights_only',
    'non_finite_tensors', 'remove_orphan_tmp_files', 'save_checkpoint',
    'to_weights_only', 'STUDENT_PREFIX', 'TEACHER_PREFIX',
    'CheckpointMismatchError', 'KeyDiff', 'check_state_dict',
    'compare_state_dicts', 'find_state_dict', 'is_distillation_state_dict',
    'mismatch_message', 'select_prefix', 'strip_wrapper_prefixes',
    'student_state_dict', 'TeacherCheckpointError', 'load_teacher_checkpoint',
    'FINGERPRINT_KEY', 'ResumeMismatchError', 'check_resume_checkpoint',
    'checkpoint_kind', 'describe_checkpoint', 'fingerprint_differences',
    'load_weights_strictly', 'run_fingerprint'
]
