from .multi_view_cls import MultiViewClsDataPreprocessor

__all__ = ['MultiViewClsDataPreprocessor']
