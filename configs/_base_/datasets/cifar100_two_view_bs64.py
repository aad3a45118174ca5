# CIFAR-100 with two views per training image, for MLKD and CRLD
# (docs/recipes.md#strong-view): a weak view (the standard crop + flip) and a
# strong view (crop + flip + FixMatch-style RandAugment with Cutout). MultiView
# runs the two pipelines on copies of the same image, each with its own random
# draws; PackInputs then stores `inputs` as a list [weak, strong] per sample,
# and MultiViewClsDataPreprocessor stacks them into one batch per view.
# Everything else (dataset, preprocessor, loaders, evaluation) is inherited.
_base_ = ['./cifar100_bs64.py']

weak_view = [
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
]
strong_view = weak_view + [
    dict(
        type='RandAugmentFixMatch',
        num_ops=2,  # drawn with replacement from the 14 FixMatch ops
        channel_order='rgb',  # CIFAR arrays are RGB
        cutout_max_ratio=0.5,
        cutout_fill=(125, 123, 114),
        faithful_cutout_center=True),  # the original's (1, w] centre draw
]
train_pipeline = [
    dict(
        type='MultiView',
        num_views=[1, 1],
        transforms=[weak_view, strong_view]),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
