# CIFAR-100, single view, batch 64 per GPU (docs/recipes.md#data-pipelines).
# The CIFAR arrays are RGB already (to_rgb=False); mean/std are the mdistiller
# constants × 255 the published teachers were trained with.
dataset_type = 'LocalCIFAR100'
data_root = 'data/cifar100'  # the folder that contains cifar-100-python/

data_preprocessor = dict(
    type='MultiViewClsDataPreprocessor',
    num_classes=100,
    mean=[129.3105, 124.1085, 112.404],
    std=[68.2125, 65.4075, 70.4055],
    to_rgb=False)

train_pipeline = [
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
    drop_last=False)  # as the original loaders (docs/recipes.md)

val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = [
    dict(type='Accuracy', topk=(1, 5)),
    dict(type='CalibrationMetric', num_bins=15),
]

test_dataloader = val_dataloader
test_evaluator = val_evaluator
