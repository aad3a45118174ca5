# CIFAR-100 with two views per training image, for MLKD and CRLD
# (docs/recipes.md#strong-view): a weak view (the standard crop + flip) and
# a strong view (crop + flip + FixMatch-style RandAugment with Cutout), each
# with its own random draws, weak first. Everything else (dataset,
# evaluation) is inherited, and so is the switch `augment_on_device`:
# * on the device: MultiViewClsDataPreprocessor.train_views builds both
#   views from the decoded batch (BatchRandAugmentFixMatch gives exactly the
#   pixels of the PIL ops for the same magnitudes);
# * in the workers: MMPretrain's MultiView runs the two pipelines on copies
#   of the image; PackInputs stores `inputs` as a list [weak, strong] per
#   sample, and the preprocessor stacks one batch per view.
_base_ = ['./cifar100_bs64.py']

rand_augment = dict(
    num_ops=2,  # drawn with replacement from the 14 FixMatch ops
    channel_order='rgb',  # CIFAR arrays are RGB
    cutout_max_ratio=0.5,
    cutout_fill=(125, 123, 114),
    faithful_cutout_center=True)  # the original's (1, w] centre draw
strong_view = _base_.weak_view + [dict(type='RandAugmentFixMatch',
                                       **rand_augment)]
strong_view_batched = _base_.weak_view_batched + [
    dict(type='BatchRandAugmentFixMatch', **rand_augment)
]

data_preprocessor = dict(
    train_views=[_base_.weak_view_batched, strong_view_batched]
    if _base_.augment_on_device else None)
train_pipeline = ([] if _base_.augment_on_device else [
    dict(
        type='MultiView',
        num_views=[1, 1],
        transforms=[_base_.weak_view, strong_view])
]) + [dict(type='PackInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
