# ImageNet-1k with two views per training image, for MLKD and CRLD
# (docs/recipes.md#strong-view): weak = RandomResizedCrop(224) + flip; strong =
# the same followed by FixMatch-style RandAugment with Cutout. Each view draws
# its own crop and flip. Images from LoadImageFromFile are BGR:
# RandAugmentFixMatch converts to RGB for the PIL ops and the Cutout colour,
# then back.
_base_ = ['./imagenet_bs64.py']

weak_view = [
    dict(
        type='RandomResizedCrop',
        scale=224,
        crop_ratio_range=(0.08, 1.0),
        aspect_ratio_range=(3. / 4., 4. / 3.),
        interpolation='bilinear',
        backend='pillow'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
]
strong_view = weak_view + [
    dict(
        type='RandAugmentFixMatch',
        num_ops=2,
        channel_order='bgr',
        cutout_max_ratio=0.5,
        cutout_fill=(125, 123, 114),
        faithful_cutout_center=True),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='MultiView',
        num_views=[1, 1],
        transforms=[weak_view, strong_view]),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
