"""Generators of datasets the project draws itself (no download needed).

Not imported by ``import mmlogitkd``: import
``mmlogitkd.datasets.generators.embedded_cifar100`` (OpenCV drawing) only
where a dataset is written (``tools/dataset_converters``, the tests).
"""
