# ImageNet-1k, single view (docs/recipes.md#data-pipelines, the mdistiller
# pipeline): train RandomResizedCrop(224) + horizontal flip, test Resize(256) +
# CenterCrop(224). Resizing uses PIL bilinear like torchvision in the original
# code (MMPretrain's default is cv2: close, not identical). Batch 64 per GPU:
# on 8 GPUs that is the original total batch of 512; scale the learning rate
# (--auto-scale-lr) if you train on another number of GPUs.
dataset_type = 'ImageNet'
data_root = 'data/imagenet'  # train/, val/ and meta/ as MMPretrain expects

# LoadImageFromFile yields BGR; the preprocessor converts to RGB before the
# torchvision (RGB) mean/std.
data_preprocessor = dict(
    type='MultiViewClsDataPreprocessor',
    num_classes=1000,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='RandomResizedCrop',
        scale=224,
        crop_ratio_range=(0.08, 1.0),
        aspect_ratio_range=(3. / 4., 4. / 3.),
        interpolation='bilinear',
        backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='ResizeEdge',
        scale=256,
        edge='short',
        interpolation='bilinear',
        backend='pillow'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=64,  # per GPU; 8 GPUs x 64 = 512 as the original
    num_workers=8,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
    drop_last=False)

val_dataloader = dict(
    batch_size=64,  # the original tests with 128 in all; no effect on results
    num_workers=8,
    persistent_workers=True,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='val',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False))
val_evaluator = [
    dict(type='Accuracy', topk=(1, 5)),
    dict(type='CalibrationMetric', num_bins=15),
]

test_dataloader = val_dataloader
test_evaluator = val_evaluator
