"""Convert a CIFAR-100 checkpoint of RepDistiller/mdistiller to mmlogitkd.

    python tools/model_converters/repdistiller2mmpretrain.py SRC DST \\
        --arch NAME [--config PATH] [--trust-source] [--force]

SRC is a file saved by the original CIFAR code bases (RepDistiller
``train_teacher.py``/``train_student.py``, the mdistiller teachers
``cifar_teachers/<name>_vanilla/ckpt_epoch_240.pth``, or mdistiller
``student_*``/distiller checkpoints): a dict with ``'model'`` or a bare state
dict, optionally with ``module.``/``module.student.`` prefixes
(docs/model_zoo.md#checkpoint-files-of-the-original-code-bases). DST loads
strictly into ``configs/_base_/models/cifar100/NAME.py``
and gives the same logits. Every key and shape is checked; unmatched keys are
listed by name. DST holds only tensors and strings
(``{'state_dict', 'meta'}``) and loads with ``weights_only=True``; ``meta``
records the SHA-256 of SRC, and the SHA-256 of DST is printed.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
import mmlogitkd  # noqa: E402,F401

from mmlogitkd.checkpoint.convert import converter_main  # noqa: E402


def main(argv=None):
    return converter_main(
        dataset='cifar100',
        converter='tools/model_converters/repdistiller2mmpretrain.py',
        description=__doc__.split('\n')[0],
        arch_help=('architecture of SRC, as named in configs/_base_/models/'
                   'cifar100 (mdistiller teacher folders: resnet56, '
                   'resnet110, resnet32x4, ResNet50 -> resnet50, wrn_40_2, '
                   'vgg13)'),
        argv=argv)


if __name__ == '__main__':
    main()
