augment_on_device = True
auto_scale_lr = dict(base_batch_size=64)
custom_hooks = [
    dict(type='EpochSeedHook'),
    dict(type='SafeCheckpointHook'),
    dict(chance_factor=2.0, type='TeacherEvalHook'),
    dict(type='DistillDiagnosticsHook'),
    dict(type='TeacherCacheHook'),
    dict(allow_mismatch=False, type='ResumeCheckHook'),
    dict(explosion_factor=1000.0, type='LossGuardHook', window=100),
    dict(type='InputCheckHook'),
]
custom_imports = dict(
    allow_failed_imports=False, imports=[
        'mmlogitkd',
    ])
data_preprocessor = dict(
    mean=[
        129.3105,
        124.1085,
        112.404,
    ],
    num_classes=100,
    std=[
        68.2125,
        65.4075,
        70.4055,
    ],
    to_rgb=False,
    train_views=[
        [
            dict(padding=4, size=32, type='BatchRandomCrop'),
            dict(prob=0.5, type='BatchRandomFlip'),
        ],
    ],
    type='MultiViewClsDataPreprocessor')
data_root = 'data/cifar100'
dataset_type = 'LocalCIFAR100'
default_hooks = dict(
    checkpoint=dict(
        backend_args=dict(backend='atomic_local'),
        interval=120,
        max_keep_ckpts=1,
        save_best=None,
        save_last=True,
        type='CheckpointHook'),
    logger=dict(interval=50, type='LoggerHook'),
    param_scheduler=dict(type='ParamSchedulerHook'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    timer=dict(type='IterTimerHook'),
    visualization=dict(enable=False, type='VisualizationHook'))
default_scope = 'mmlogitkd'
env_cfg = dict(
    cudnn_benchmark=False,
    dist_cfg=dict(backend='nccl'),
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
launcher = 'none'
load_from = None
log_level = 'INFO'
max_epochs = 20
model = dict(
    backbone=dict(arch='resnet20', out_indices=(2, ), type='CIFARResNet'),
    head=dict(
        cal_acc=True,
        in_channels=64,
        init_cfg=None,
        loss=dict(loss_weight=1.0, type='CrossEntropyLoss'),
        num_classes=100,
        topk=(
            1,
            5,
        ),
        type='LinearClsHead'),
    neck=dict(type='GlobalAveragePooling'),
    type='ImageClassifier')
optim_wrapper = dict(
    optimizer=dict(
        lr=0.05, momentum=0.9, nesterov=False, type='SGD',
        weight_decay=0.0005))
param_scheduler = dict(
    by_epoch=True, gamma=0.1, milestones=[
        75,
        90,
        105,
    ], type='MultiStepLR')
randomness = dict(deterministic=False, seed=0)
resume = False
test_cfg = dict()
test_dataloader = dict(
    batch_size=64,
    dataset=dict(
        data_root='data/embedded_cifar100_bench',
        pipeline=[
            dict(type='PackInputs'),
        ],
        split='test',
        type='LocalCIFAR100'),
    num_workers=0,
    persistent_workers=False,
    sampler=dict(shuffle=False, type='DefaultSampler'))
test_evaluator = [
    dict(topk=(
        1,
        5,
    ), type='Accuracy'),
    dict(num_bins=15, type='CalibrationMetric'),
]
test_pipeline = [
    dict(type='PackInputs'),
]
train_cfg = dict(by_epoch=True, max_epochs=120, val_interval=5)
train_dataloader = dict(
    batch_size=64,
    dataset=dict(
        data_root='data/embedded_cifar100_bench',
        pipeline=[
            dict(type='PackInputs'),
        ],
        split='train',
        type='LocalCIFAR100'),
    drop_last=False,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(shuffle=True, type='DefaultSampler'))
train_pipeline = [
    dict(type='PackInputs'),
]
val_cfg = dict()
val_dataloader = dict(
    batch_size=64,
    dataset=dict(
        data_root='data/embedded_cifar100_bench',
        pipeline=[
            dict(type='PackInputs'),
        ],
        split='test',
        type='LocalCIFAR100'),
    num_workers=0,
    persistent_workers=False,
    sampler=dict(shuffle=False, type='DefaultSampler'))
val_evaluator = [
    dict(topk=(
        1,
        5,
    ), type='Accuracy'),
    dict(num_bins=15, type='CalibrationMetric'),
]
vis_backends = [
    dict(type='LocalVisBackend'),
]
visualizer = dict(
    type='UniversalVisualizer', vis_backends=[
        dict(type='LocalVisBackend'),
    ])
weak_view = [
    dict(crop_size=32, padding=4, type='RandomCrop'),
    dict(direction='horizontal', prob=0.5, type='RandomFlip'),
]
weak_view_batched = [
    dict(padding=4, size=32, type='BatchRandomCrop'),
    dict(prob=0.5, type='BatchRandomFlip'),
]
