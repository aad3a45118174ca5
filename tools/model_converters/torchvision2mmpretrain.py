"""Convert ImageNet teachers/students of the KD benchmarks to mmlogitkd.

    python tools/model_converters/torchvision2mmpretrain.py SRC DST \\
        --arch {resnet18,resnet34,resnet50,mobilenet_v1} [--config PATH] \\
        [--trust-source]

``resnet18/34/50``: torchvision checkpoints (e.g. ``resnet34-333f7ec4.pth``,
``resnet50-19c8e357.pth``, the teachers of mdistiller, LS, CRLD and CKD) ->
``configs/_base_/models/imagenet/resnet{18,34,50}.py`` (MMPretrain
``ResNet(style='pytorch')``). ``mobilenet_v1``: mdistiller's MobileNetV1
(``models/imagenet/mobilenetv1.py``) -> ``configs/_base_/models/imagenet/
mobilenet_v1.py``. Same guarantees as ``repdistiller2mmpretrain.py``: every
key and shape checked, unmatched keys listed, a tensors-and-strings output
that loads with ``weights_only=True``, the SHA-256 of SRC in ``meta`` and of
DST printed.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
import mmlogitkd  # noqa: E402,F401

from mmlogitkd.checkpoint.convert import converter_main  # noqa: E402


def main(argv=None):
    return converter_main(
        dataset='imagenet',
        converter='tools/model_converters/torchvision2mmpretrain.py',
        description=__doc__.split('\n')[0],
        arch_help=('architecture of SRC, as named in '
                   'configs/_base_/models/imagenet'),
        argv=argv)


if __name__ == '__main__':
    main()
