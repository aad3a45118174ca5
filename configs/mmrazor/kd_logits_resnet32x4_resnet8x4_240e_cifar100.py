# Hinton KD (T = 4, weight 0.9) of ResNet8x4 from ResNet32x4 on CIFAR-100,
# run by MMRazor's own distillation machinery instead of LogitDistiller:
# SingleTeacherDistill + ConfigurableDistiller, the logits taken by recorders
# on head.fc, mmlogitkd's KDLoss (registered in MMRazor's MODELS), and
# MMRazor's SingleTeacherDistillValLoop, which validates the student and the
# teacher every epoch (accuracy/top1 and teacher.accuracy/top1).
# docs/mmrazor.md explains the differences from configs/kd/ (which runs the
# same loss through LogitDistiller):
#   * the student's CE keeps its head's weight 1.0 (MMRazor's
#     calculate_student_loss; cfg_path models cannot be overridden), where
#     configs/kd/ uses 0.1 as mdistiller;
#   * MMRazor loads teacher_ckpt non-strictly (missing keys are only logged):
#     pin the converted teacher by its SHA-256 in docs/model_zoo.md.
_base_ = [
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/schedules/cifar100_sgd_240e.py',
    '../_base_/default_runtime.py',
]

# MMRazor builds the algorithm in its own scope: name the preprocessor with
# its package (mean/std and the on-device training augmentation,
# train_views, come from the dataset base).
data_preprocessor = dict(type='mmpretrain.MultiViewClsDataPreprocessor')

teacher_ckpt = 'checkpoints/cifar100/resnet32x4.pth'  # docs/model_zoo.md
model = dict(
    _scope_='mmrazor',
    type='SingleTeacherDistill',
    architecture=dict(
        cfg_path='mmlogitkd::_base_/models/cifar100/resnet8x4.py',
        pretrained=False),
    teacher=dict(
        cfg_path='mmlogitkd::_base_/models/cifar100/resnet32x4.py',
        pretrained=False),
    teacher_ckpt=teacher_ckpt,
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        distill_losses=dict(
            loss_kd=dict(type='KDLoss', temperature=4.0, loss_weight=0.9)),
        loss_forward_mappings=dict(
            loss_kd=dict(
                student_logits=dict(from_student=True, recorder='fc'),
                teacher_logits=dict(from_student=False, recorder='fc')))))

val_cfg = dict(_delete_=True, type='mmrazor.SingleTeacherDistillValLoop')
# The val loop evaluates the teacher every epoch: no separate evaluation.
custom_hooks = [
    dict(type='EpochSeedHook'),
    dict(type='SafeCheckpointHook'),
]
