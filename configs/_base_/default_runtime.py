# Runtime shared by every mmlogitkd config (MMPretrain's default_runtime plus
# what distillation needs). Every key here is a documented, overridable default.
default_scope = 'mmlogitkd'
custom_imports = dict(imports=['mmlogitkd'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Atomic writes: a crash while saving leaves the previous checkpoint.
    # No "best" checkpoint: results are reported at the last epoch
    # (docs/reporting.md); the best epoch's metrics are in the logs.
    checkpoint=dict(
        type='CheckpointHook',
        interval=10,
        max_keep_ckpts=3,
        save_last=True,
        save_best=None,
        backend_args=dict(backend='atomic_local')),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='VisualizationHook', enable=False),
)

custom_hooks = [
    # Each epoch's randomness depends on (seed, epoch) only, so a resumed run
    # continues exactly like an uninterrupted one.
    dict(type='EpochSeedHook'),
    # Checkpoints load with torch.load(weights_only=True); NaN weights are
    # never written.
    dict(type='SafeCheckpointHook'),
    # The teacher is evaluated once before training (not at every validation).
    dict(type='TeacherEvalHook', chance_factor=2.0),
    # Warnings about a whole epoch of a loss (e.g. CRLD's confidence gate
    # keeping almost no sample); per-step diagnostics are logged anyway.
    dict(type='DistillDiagnosticsHook'),
    # Keys, loads and writes model.teacher_cache when one is configured.
    dict(type='TeacherCacheHook'),
    # Checkpoints carry a fingerprint of model and method; a resume from
    # another run's checkpoint is refused (allow_mismatch=True, or
    # tools/train.py --allow-resume-mismatch, to resume anyway).
    dict(type='ResumeCheckHook', allow_mismatch=False),
    # Stop at a non-finite loss, or one that exploded over its running
    # level (explosion_factor=None disables that check).
    dict(type='LossGuardHook', explosion_factor=1e3, window=100),
    # Labels within num_classes, finite data_preprocessor mean/std.
    dict(type='InputCheckHook'),
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches to gloo when CUDA is unavailable.
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
