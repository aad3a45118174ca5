# CIFAR-100, single view, batch 64 per GPU (docs/recipes.md#data-pipelines):
# train random crop 32 with zero padding 4 + horizontal flip, test the image
# as it is. The CIFAR arrays are RGB already (to_rgb=False); mean/std are the
# mdistiller constants x 255 the published teachers were trained with
# (megvii-research/mdistiller@a08d46f mdistiller/dataset/cifar100.py).
dataset_type = 'LocalCIFAR100'
data_root = 'data/cifar100'  # the folder that contains cifar-100-python/

# Where the training augmentation runs (one switch):
# * True: batched on the training device by the data preprocessor
#   (MultiViewClsDataPreprocessor.train_views). The data-loader workers only
#   decode, and every random number is keyed by (seed, epoch, sample index,
#   view), so the augmentation does not depend on workers or processes
#   (needed by the exact teacher-logit cache, model.teacher_cache).
# * False: per image in the data-loader workers (MMPretrain's RandomCrop and
#   RandomFlip), as the original code bases do. Same distributions.
augment_on_device = True

# The training view, per image (workers) and batched (device).
weak_view = [
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
]
weak_view_batched = [
    dict(type='BatchRandomCrop', size=32, padding=4),
    dict(type='BatchRandomFlip', prob=0.5),
]

data_preprocessor = dict(
    type='MultiViewClsDataPreprocessor',
    num_classes=100,
    mean=[129.3105, 124.1085, 112.404],
    std=[68.2125, 65.4075, 70.4055],
    to_rgb=False,
    train_views=[weak_view_batched] if augment_on_device else None)

train_pipeline = ([] if augment_on_device else weak_view) + [
    dict(type='PackInputs')
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
